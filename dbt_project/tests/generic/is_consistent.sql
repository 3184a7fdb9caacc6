{#
    A consistency check passes when its model finds no problem. Failing rows are stored
    (`store_failures`) so the UI shows them. A check warns by default, so one inconsistency
    does not stop the build; set `config: {severity: error}` on a check that must block (the
    write-back guards). The same rows feed marts.exceptions, which keeps their history and
    the business severity from `vars.checks`.
#}
{% test is_consistent(model) %}

{{ config(store_failures=true, severity='warn') }}

select * from {{ model }}

{% endtest %}
