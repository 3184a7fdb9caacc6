{#
    A guard on a sync model (`sync_<system>__<entity>s`): every field it would write is one the
    ownership file (seeds/ownership.csv) sends to that system for that entity, so a model can
    never write a value into a system that does not receive it - above all into the system that
    owns it. A create may also carry what identifies the new record there (a project's code and
    client, fields the ownership file does not list; the engine checks them against
    reverse_etl.syncs.CREATE_FIELDS) and name its parent (`requires:<sync>` rows). Returns the
    fields written without that permission. An error: Dagster treats it as blocking, so the
    write-back does not run.
#}
{% test writes_only_fields_it_receives(model, column_name) %}
{%- set name = model.identifier | replace('sync_', '', 1) -%}
{%- set system, plural = name.split('__') -%}
{%- set entity = plural[:-3] ~ 'y' if plural.endswith('ies') else plural[:-1] -%}

select
    planned.{{ column_name }} as field,
    planned.operation,
    count(*) as planned_writes
from {{ model }} as planned
left join {{ ref('ownership') }} as ownership
    on ownership.entity = '{{ entity }}'
    and ownership.field = planned.{{ column_name }}
left join {{ ref('stg_governance__ownership_receivers') }} as receivers
    on receivers.entity = ownership.entity
    and receivers.field = ownership.field
    and receivers.receiver = '{{ system }}'
where planned.{{ column_name }} not like 'requires:%'
    and (
        (ownership.field is null and planned.operation <> 'create')
        or (ownership.field is not null and receivers.field is null)
    )
group by planned.{{ column_name }}, planned.operation

{% endtest %}
