{#- Approved billable time the ERP does not bill as it should: one row per PSA time entry that
    - is not posted as a billable charge within the SLA (vars checks.unbilled_time.sla_days,
      default 2: a charge is due by the second day after approval, counted up to the day the
      PSA data describes, macro psa_as_of_date) - unposted approved time is revenue the firm
      has earned but not billed;
    - cannot be posted at all, whatever its age, because it fails validation against its
      contract (int_time_entries_validated: no ERP project, no contract, a task with no billing
      item, no contract rate on the day, a rate other than the contract's, a legal entity the
      ERP does not match) - the write-back leaves it alone until a person fixes the data;
    - was changed in the PSA after it was posted, and its charge cannot be corrected: the new
      values fail validation, or the charge is already invoiced (a credit note is a person's
      decision).
    Posted entries whose charge the write-back can still correct are not problems yet. -#}

{%- set sla_days = var('checks', {}).get('unbilled_time', {}).get('sla_days', 2) %}

with

validated as (
    select
        *,
        {{ dbt.datediff('approved_on', psa_as_of_date([ref('stg_harvest__time_entries')]), 'day') }}
            as days_since_approval
    from {{ ref('int_time_entries_validated') }}
),

entries as (
    select * from validated
    where (not is_posted and (days_since_approval >= {{ sla_days }} or not is_valid))
        or (is_changed_since_posting and (not is_valid or is_invoiced))
),

xref as (
    select * from {{ ref('customer_xref') }}
),

described as (
    select
        entries.*,
        'approved billable time of ' || cast(entries.spent_date as {{ dbt.type_string() }})
            || ' (' || cast(cast(entries.hours as decimal(18, 2)) as {{ dbt.type_string() }}) || ' h, '
            || coalesce(cast(cast(entries.psa_amount as decimal(18, 2)) as {{ dbt.type_string() }}), 'no rate')
            || ' ' || coalesce(entries.psa_currency_code, '') || ')' as what
    from entries
)

select
    'unbilled_time' as check_name,
    xref.golden_customer_id,
    'harvest' as source_system,
    described.time_entry_id as source_record_id,
    'netsuite' as reference_system,
    described.charge_id as reference_record_id,
    'charge' as field,
    case when described.is_posted then 'charge out of date' else 'not posted' end as observed_value,
    case
        when described.is_posted then 'charge matching the approved time'
        else 'billable charge posted within {{ sla_days }} days of approval'
    end as expected_value,
    case
        when not described.is_posted and described.is_valid then
            described.what || ' was approved on ' || cast(described.approved_on as {{ dbt.type_string() }})
            || ' and is still not posted to the ERP after '
            || cast(described.days_since_approval as {{ dbt.type_string() }}) || ' days'
        when not described.is_posted then
            described.what || ' cannot be posted to the ERP: ' || described.validation_reason
        when not described.is_valid then
            described.what || ' was changed in the PSA after it was posted as charge ' || described.charge_id
            || ', and the correction cannot be posted: ' || described.validation_reason
        else
            described.what || ' was changed in the PSA after charge ' || described.charge_id
            || ' was invoiced (invoice ' || described.charge_invoice_id
            || '): the invoice needs a credit note or a further charge, a person decides'
    end as reason
from described
left join xref
    on xref.record_key = 'harvest:' || described.harvest_client_id
