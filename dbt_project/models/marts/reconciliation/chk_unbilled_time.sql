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

{#- an entry's hours and amount, as the reasons describe it -#}
{%- set details -%}
    cast(cast(hours as decimal(18, 2)) as {{ dbt.type_string() }}) || ' h, '
    || coalesce(cast(cast(psa_amount as decimal(18, 2)) as {{ dbt.type_string() }}), 'no rate')
{%- endset %}

{{ unbilled_charges('unbilled_time', validated=ref('int_time_entries_validated'), record_id='time_entry_id',
                    subject='time', details=details,
                    days_since_approval=dbt.datediff('approved_on', psa_as_of_date([ref('stg_harvest__time_entries')]), 'day')) }}
