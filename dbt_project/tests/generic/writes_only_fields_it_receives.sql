{#
    A guard on a sync model (`sync_<system>__<entity>s`): every field it would write is one the
    ownership file (seeds/ownership.csv) sends to that system for that entity, so a model can
    never write a value into a system that does not receive it - above all into the system that
    owns it. Returns the fields written without that permission. An error: Dagster treats it as
    blocking, so the write-back does not run.
#}
{% test writes_only_fields_it_receives(model, column_name) %}
{%- set name = model.identifier | replace('sync_', '', 1) -%}
{%- set system, plural = name.split('__') -%}
{%- set entity = plural[:-3] ~ 'y' if plural.endswith('ies') else plural[:-1] -%}

select
    planned.{{ column_name }} as field,
    count(*) as planned_writes
from {{ model }} as planned
left join {{ ref('ownership') }} as ownership
    on ownership.entity = '{{ entity }}'
    and ownership.field = planned.{{ column_name }}
    and ' ' || ownership.receivers || ' ' like '% {{ system }} %'
where ownership.field is null
group by planned.{{ column_name }}

{% endtest %}
