{#- The rows of an unbilled check (chk_unbilled_time, chk_unbilled_expense), in the checks'
    columns: one per validated PSA record that is not posted as a billable charge within the
    check's SLA (vars checks.<check_name>.sla_days, default 2), cannot be posted at all because
    it fails validation, or was changed after posting and its charge cannot be corrected (the
    new values fail validation, or the charge is invoiced), with a reason a person can read.
    Arguments:
    - check_name: the check's name, also its key in vars checks;
    - validated: the relation of validated records (int_time_entries_validated,
      int_expenses_validated: is_valid, validation_reason, is_posted, is_changed_since_posting,
      is_invoiced, approved_on, charge_id, charge_invoice_id, harvest_client_id);
    - record_id: its id column, the source record id;
    - subject: what the records are ('time', 'expense'), as the reasons and the expected value
      name them;
    - details: an expression over the validated columns describing a record besides its day and
      currency (e.g. its hours and amount), in the description each reason starts with:
      'approved billable <subject> of <day> (<details> <currency>)';
    - days_since_approval: an expression of the days since approval, for a relation that does
      not carry them (time: its validation is incremental, so its age is taken here); none
      reads the relation's column days_since_approval. -#}
{% macro unbilled_charges(check_name, validated, record_id, subject, details, days_since_approval=none) -%}
{%- set sla_days = var('checks', {}).get(check_name, {}).get('sla_days', 2) -%}
with

records as (
    select
        *{% if days_since_approval is not none %},
        {{ days_since_approval }} as days_since_approval{% endif %}
    from {{ validated }}
),

unbilled as (
    select * from records
    where (not is_posted and (days_since_approval >= {{ sla_days }} or not is_valid))
        or (is_changed_since_posting and (not is_valid or is_invoiced))
),

xref as (
    select * from {{ ref('customer_xref') }}
),

described as (
    select
        *,
        'approved billable {{ subject }} of ' || cast(spent_date as {{ dbt.type_string() }})
            || ' (' || {{ details }}
            || ' ' || coalesce(psa_currency_code, '') || ')' as what
    from unbilled
)

select
    '{{ check_name }}' as check_name,
    xref.golden_customer_id,
    'harvest' as source_system,
    described.{{ record_id }} as source_record_id,
    'netsuite' as reference_system,
    described.charge_id as reference_record_id,
    'charge' as field,
    case when described.is_posted then 'charge out of date' else 'not posted' end as observed_value,
    case
        when described.is_posted then 'charge matching the approved {{ subject }}'
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
{%- endmacro %}
