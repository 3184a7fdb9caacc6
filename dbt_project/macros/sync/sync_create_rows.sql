{#- The create rows of a write-back model, in the sync models' columns: for each record of
    create_targets (one row per golden record to create, golden_key), every field the target
    receives with its value from desired, plus the model's own further values (extra_values: the
    name of a CTE of golden_key, field, desired_value), keyed 'golden:<golden id>' with the golden
    id as the external id, so a retried create never duplicates. Like sync_update_rows it reads
    the model's CTEs desired and receiving_fields. Values are trimmed, '' as null. -#}
{% macro sync_create_rows(golden_key, extra_values) -%}
    select
        'golden:' || create_values.{{ golden_key }} as sync_key,
        create_values.{{ golden_key }} as golden_id,
        'create' as operation,
        cast(null as {{ dbt.type_string() }}) as target_record_id,
        create_values.{{ golden_key }} as external_id,
        create_values.field,
        nullif(trim(create_values.desired_value), '') as desired_value,
        cast(null as {{ dbt.type_string() }}) as current_value,
        cast(null as {{ dbt.type_timestamp() }}) as current_as_of
    from (
        select create_targets.{{ golden_key }}, desired.field, desired.desired_value
        from create_targets
        inner join desired
            on desired.{{ golden_key }} = create_targets.{{ golden_key }}
        inner join receiving_fields
            on receiving_fields.field = desired.field
        union all
        select {{ golden_key }}, field, desired_value
        from {{ extra_values }}
    ) as create_values
{%- endmacro %}
