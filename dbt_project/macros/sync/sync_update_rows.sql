{#- The update rows of a write-back model, in the sync models' columns: one row per target record
    and field the target receives, with the authoritative value and what the target held when last
    landed (both trimmed, '' as null), keyed '<system>:<target record id>'. It reads the model's
    CTEs by their shared names: update_targets (one row per target record Concord may update:
    target_key, golden_key, extracted_at), desired (field, desired_value per desired_key),
    held (field, current_value per target_key) and receiving_fields (the ownership file's fields
    this target receives). Which rows differ is the caller's to say (each compares its own way). -#}
{% macro sync_update_rows(system, target_key, golden_key, desired_key=none) -%}
    {%- set desired_key = desired_key or golden_key -%}
    select
        '{{ system }}:' || update_targets.{{ target_key }} as sync_key,
        update_targets.{{ golden_key }} as golden_id,
        'update' as operation,
        update_targets.{{ target_key }} as target_record_id,
        cast(null as {{ dbt.type_string() }}) as external_id,
        desired.field,
        nullif(trim(desired.desired_value), '') as desired_value,
        nullif(trim(held.current_value), '') as current_value,
        update_targets.extracted_at as current_as_of
    from update_targets
    inner join desired
        on desired.{{ desired_key }} = update_targets.{{ desired_key }}
    inner join receiving_fields
        on receiving_fields.field = desired.field
    left join held
        on held.{{ target_key }} = update_targets.{{ target_key }}
        and held.field = desired.field
{%- endmacro %}
