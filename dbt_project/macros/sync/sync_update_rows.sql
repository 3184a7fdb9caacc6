{#- The update rows of a write-back model, in the sync models' columns: one row per target record
    and field the target receives, with the authoritative value and what the target held when last
    landed (both trimmed, '' as null), keyed '<system>:<target record id>'. Which rows differ is
    the caller's to say (each compares its own way). Arguments:
    - system: the target system, the sync key's prefix;
    - targets: the relation of target records Concord may update (target_key, golden_key,
      extracted_at: when the record was last landed);
    - target_key, golden_key: its columns naming the target record and the golden record;
    - desired: the relation of authoritative values (field, desired_value per desired_key);
    - held: the relation of what each target record holds (field, current_value per target_key);
    - receiving: the relation of the fields the target receives (field);
    - desired_key: the column joining targets to desired (default golden_key). -#}
{% macro sync_update_rows(system, targets, target_key, golden_key, desired, held, receiving, desired_key=none) -%}
    {%- set desired_key = desired_key or golden_key -%}
    select
        '{{ system }}:' || targets.{{ target_key }} as sync_key,
        targets.{{ golden_key }} as golden_id,
        'update' as operation,
        targets.{{ target_key }} as target_record_id,
        cast(null as {{ dbt.type_string() }}) as external_id,
        desired.field,
        nullif(trim(desired.desired_value), '') as desired_value,
        nullif(trim(held.current_value), '') as current_value,
        targets.extracted_at as current_as_of
    from {{ targets }} as targets
    inner join {{ desired }} as desired
        on desired.{{ desired_key }} = targets.{{ desired_key }}
    inner join {{ receiving }} as receiving
        on receiving.field = desired.field
    left join {{ held }} as held
        on held.{{ target_key }} = targets.{{ target_key }}
        and held.field = desired.field
{%- endmacro %}
