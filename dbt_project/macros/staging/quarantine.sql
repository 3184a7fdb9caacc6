{#- A system's quarantine (`_concord_quarantine`: the records that broke their table's landing
    contract and did not land), one row per quarantined record version. Ingestion creates the
    table with the first record it quarantines, so until then this is an empty set of the same
    columns (the source is still named, so the lineage from the landing asset stays). -#}
{% macro staging_quarantined_records(system) -%}
{%- set quarantine = source(system, '_concord_quarantine') -%}
{%- set exists = execute and adapter.get_relation(
    database=quarantine.database, schema=quarantine.schema, identifier=quarantine.identifier) is not none -%}
{%- if exists %}
select
    cast(_dlt_id as {{ dbt.type_string() }}) as quarantine_id,
    source_system,
    table_name,
    cast(record_key as {{ dbt.type_string() }}) as record_key,
    reason,
    raw_payload,
    _concord_extracted_at as extracted_at,
    _dlt_load_id as load_id
from {{ quarantine }}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as quarantine_id,
    cast(null as {{ dbt.type_string() }}) as source_system,
    cast(null as {{ dbt.type_string() }}) as table_name,
    cast(null as {{ dbt.type_string() }}) as record_key,
    cast(null as {{ dbt.type_string() }}) as reason,
    cast(null as {{ dbt.type_string() }}) as raw_payload,
    cast(null as {{ dbt.type_timestamp() }}) as extracted_at,
    cast(null as {{ dbt.type_string() }}) as load_id
where 1 = 0
{%- endif %}
{%- endmacro %}
