{#- Records a system sent that broke their table's landing contract and so are not in the
    warehouse (no key, an unreadable change stamp, a value not of its type, a currency that is
    not an ISO 4217 code or not one of the ERP's): whatever reads that table is missing them.
    One row per record (its latest quarantined version), with the quarantine's reason. It
    resolves when the record leaves the quarantine: `concord ingest --replay-quarantine` lands
    the records the contract accepts by then (fixed in the source, or a contract or reference
    data that now allows them) and clears those that have landed since. -#}

{%- set systems = ['salesforce', 'harvest', 'netsuite'] %}

with

quarantined as (
    {%- for system in systems %}
    select * from {{ ref('stg_' ~ system ~ '__quarantined_records') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

latest as (
    select
        *,
        row_number() over (
            partition by source_system, table_name, coalesce(record_key, quarantine_id)
            order by extracted_at desc, quarantine_id desc
        ) as version_rank
    from quarantined
)

select
    'quarantined_record' as check_name,
    cast(null as {{ dbt.type_string() }}) as golden_customer_id,
    source_system,
    coalesce(record_key, 'quarantined ' || quarantine_id) as source_record_id,
    cast(null as {{ dbt.type_string() }}) as reference_system,
    cast(null as {{ dbt.type_string() }}) as reference_record_id,
    table_name as field,
    cast(null as {{ dbt.type_string() }}) as observed_value,
    cast(null as {{ dbt.type_string() }}) as expected_value,
    source_system || ' ' || table_name || ' record ' || coalesce(record_key, '(no key)')
        || ' did not land: ' || reason
        || ' (once it is fixed in the source or accepted, concord ingest --replay-quarantine lands it)' as reason
from latest
where version_rank = 1
