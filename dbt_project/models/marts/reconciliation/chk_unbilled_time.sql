{#- Approved billable time that has not been posted to the ERP as a billable charge within
    the SLA (vars checks.unbilled_time.sla_days, default 2: a charge is due by the second day
    after approval). Unposted approved time is revenue the firm has earned but not billed. -#}

{%- set sla_days = var('checks', {}).get('unbilled_time', {}).get('sla_days', 2) %}

with

entries as (
    select * from {{ ref('int_time_entries_posting_status') }}
    where not is_posted
        and days_since_approval >= {{ sla_days }}
),

xref as (
    select * from {{ ref('customer_xref') }}
)

select
    'unbilled_time' as check_name,
    xref.golden_customer_id,
    'harvest' as source_system,
    entries.time_entry_id as source_record_id,
    'netsuite' as reference_system,
    cast(null as {{ dbt.type_string() }}) as reference_record_id,
    'charge' as field,
    'not posted' as observed_value,
    'billable charge posted within {{ sla_days }} days of approval' as expected_value,
    'approved billable time of ' || cast(entries.spent_date as {{ dbt.type_string() }})
        || ' (' || cast(cast(entries.hours as decimal(18, 2)) as {{ dbt.type_string() }}) || ' h, '
        || coalesce(cast(cast(entries.billable_amount as decimal(18, 2)) as {{ dbt.type_string() }}), 'no rate')
        || ' ' || coalesce(entries.currency_code, '') || ') was approved on '
        || cast(entries.approved_on as {{ dbt.type_string() }}) || ' and is still not posted to the ERP after '
        || cast(entries.days_since_approval as {{ dbt.type_string() }}) || ' days' as reason
from entries
left join xref
    on xref.record_key = 'harvest:' || entries.client_id
