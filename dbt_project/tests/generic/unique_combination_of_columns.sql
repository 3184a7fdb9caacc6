{#
    No two rows share the same values in `combination_of_columns` (e.g. a change log's
    key + load id). Returns the duplicated combinations.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
