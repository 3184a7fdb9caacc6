{#
    A guard on a sync model: it would change at most var('sync_max_records_per_run') records of
    its target in one run. A circuit breaker: a broken match or a bad load that suddenly wants
    to rewrite most of a system stops here (an error, so Dagster does not run the write-back)
    until a person has looked; raise the var for a deliberate mass change such as a first sync.
#}
{% test changes_at_most_records_per_run(model, column_name) %}

select count(distinct {{ column_name }}) as records_to_change
from {{ model }}
having count(distinct {{ column_name }}) > {{ var('sync_max_records_per_run') }}

{% endtest %}
