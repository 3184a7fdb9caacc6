{#- The records of `system` (rows of `records`, keyed `record_key`) that Concord may update: one
    row per record linked to a golden customer whose records there are writable
    (int_customer_write_scopes.is_writable), with the golden customer and when the record was
    last landed. Reads the model's CTEs xref (customer_xref) and records_per_system. -#}
{% macro writable_customer_records(system, records, record_key) -%}
    select
        xref.golden_customer_id,
        xref.source_record_id as {{ record_key }},
        {{ records }}.extracted_at
    from xref
    inner join records_per_system
        on records_per_system.golden_customer_id = xref.golden_customer_id
        and records_per_system.source_system = '{{ system }}'
        and records_per_system.is_writable
    inner join {{ records }}
        on {{ records }}.{{ record_key }} = xref.source_record_id
    where xref.source_system = '{{ system }}'
{%- endmacro %}
