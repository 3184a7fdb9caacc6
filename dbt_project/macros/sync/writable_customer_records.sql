{#- The records of `system` that Concord may update: one row per record linked to a golden
    customer whose records there are writable (int_customer_write_scopes.is_writable), with the
    golden customer and when the record was last landed. Arguments:
    - system: the customer's system (salesforce, netsuite, harvest);
    - xref: the relation of canonical.customer_xref;
    - write_scopes: the relation of int_customer_write_scopes;
    - records: the relation of the system's customer records (record_key, extracted_at);
    - record_key: their id column, the name it keeps here. -#}
{% macro writable_customer_records(system, xref, write_scopes, records, record_key) -%}
    select
        xref.golden_customer_id,
        xref.source_record_id as {{ record_key }},
        records.extracted_at
    from {{ xref }} as xref
    inner join {{ write_scopes }} as write_scopes
        on write_scopes.golden_customer_id = xref.golden_customer_id
        and write_scopes.source_system = '{{ system }}'
        and write_scopes.is_writable
    inner join {{ records }} as records
        on records.{{ record_key }} = xref.source_record_id
    where xref.source_system = '{{ system }}'
{%- endmacro %}
