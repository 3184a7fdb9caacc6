{#- Two records of one system for the same client (e.g. a second CRM account under a name
    variant): every record of the system other than the cluster's oldest is reported. -#}

with

xref as (
    select * from {{ ref('customer_xref') }}
),

records as (
    select * from {{ ref('int_customer_records') }}
),

ranked as (
    select
        xref.*,
        records.created_at,
        row_number() over (
            partition by xref.golden_customer_id, xref.source_system
            order by xref.is_anchor desc, records.created_at, xref.source_record_id
        ) as rank_in_system,
        first_value(xref.source_record_id) over (
            partition by xref.golden_customer_id, xref.source_system
            order by xref.is_anchor desc, records.created_at, xref.source_record_id
        ) as kept_record_id
    from xref
    inner join records on records.record_key = xref.record_key
)

select
    'duplicate_customer' as check_name,
    golden_customer_id,
    source_system,
    source_record_id,
    source_system as reference_system,
    kept_record_id as reference_record_id,
    'record' as field,
    source_legal_name as observed_value,
    cast(null as {{ dbt.type_string() }}) as expected_value,
    source_system || ' ' || source_object || ' ' || source_record_id || ' (''' || source_legal_name
        || ''') duplicates ' || kept_record_id || ', matched by ' || replace(match_method, '_', ' ') as reason
from ranked
where rank_in_system > 1
