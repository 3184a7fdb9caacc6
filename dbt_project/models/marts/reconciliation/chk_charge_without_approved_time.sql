{#- ERP time charges with no approved, billable PSA time entry behind them: the entry they
    name does not exist (any more), is not approved, or is not billable. Billing such a
    charge invoices time the delivery team has not signed off. -#}

with

charges as (
    select * from {{ ref('charges') }}
    where charge_type = 'time'
),

time_entries as (
    select * from {{ ref('stg_harvest__time_entries') }}
    where not is_deleted
),

judged as (
    select
        charges.*,
        time_entries.time_entry_id as found_time_entry_id,
        time_entries.approval_status,
        time_entries.is_billable as is_entry_billable
    from charges
    left join time_entries
        on time_entries.time_entry_id = charges.psa_source_record_id
        and charges.psa_source_object = 'time_entries'
)

select
    'charge_without_approved_time' as check_name,
    golden_customer_id,
    'netsuite' as source_system,
    charge_id as source_record_id,
    'harvest' as reference_system,
    psa_source_record_id as reference_record_id,
    'time_entry' as field,
    case
        when found_time_entry_id is null then 'missing'
        when approval_status <> 'approved' then approval_status
        else 'non-billable'
    end as observed_value,
    'approved billable time entry' as expected_value,
    'time charge ' || charge_id || ' of ' || cast(charge_date as {{ dbt.type_string() }})
        || ' (' || coalesce(cast(cast(amount as decimal(18, 2)) as {{ dbt.type_string() }}), '?')
        || ' ' || coalesce(currency_code, '') || ') '
        || case
            when psa_source_record_id is null then 'does not name the PSA time entry it was posted from'
            when found_time_entry_id is null then 'names PSA time entry ' || psa_source_record_id || ', which does not exist'
            when approval_status <> 'approved' then 'comes from PSA time entry ' || psa_source_record_id
                || ', which is ' || coalesce(approval_status, 'not approved') || ', not approved'
            else 'comes from PSA time entry ' || psa_source_record_id || ', which is not billable'
        end as reason
from judged
where found_time_entry_id is null
    or coalesce(approval_status, '') <> 'approved'
    or not coalesce(is_entry_billable, false)
