{#- The create rows of a write-back model, in the sync models' columns: for each record to create,
    every field the target receives with its authoritative value, plus the model's own further
    values, keyed 'golden:<golden id>' with the golden id as the external id, so a retried create
    never duplicates. Values are trimmed, '' as null. Arguments:
    - targets: the relation of golden records to create (one row per golden_key);
    - golden_key: the column naming the golden record in targets, desired and extra_values;
    - desired: the relation of authoritative values (field, desired_value per golden_key);
    - receiving: the relation of the fields the target receives (field);
    - extra_values: the relation of the create's further values (golden_key, field,
      desired_value), fields the ownership file does not send or parents to wait for. -#}
{% macro sync_create_rows(targets, golden_key, desired, receiving, extra_values) -%}
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
        select targets.{{ golden_key }}, desired.field, desired.desired_value
        from {{ targets }} as targets
        inner join {{ desired }} as desired
            on desired.{{ golden_key }} = targets.{{ golden_key }}
        inner join {{ receiving }} as receiving
            on receiving.field = desired.field
        union all
        select {{ golden_key }}, field, desired_value
        from {{ extra_values }}
    ) as create_values
{%- endmacro %}
