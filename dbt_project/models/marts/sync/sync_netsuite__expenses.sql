{#- What Concord posts to NetSuite as billable expense charges (scenario "approved time and
    expenses -> billable in the ERP"): one row per (expense, field). The sibling of
    sync_netsuite__time_entries.
    - create: an approved, billable PSA expense that passed validation against its contract
      (intermediate int_expenses_validated) and has no charge yet - every field. The external
      id is harvest-ex-<expense id>-v1, which the target upserts on (PUT charge/eid:...), so a
      retried or re-run create updates the charge the first one made instead of billing the
      expense twice.
    - update: a posted expense the PSA changed after posting (amount, day, project or
      category) - only the fields whose value the charge does not hold, written to the same
      charge (target_record_id), whose external id moves to the next version
      (harvest-ex-<id>-v<n + 1>). Never a second charge.
    Expenses failing validation are not here: they are exceptions (chk_unbilled_expense, with
    the reason). Neither is a change to a charge already invoiced (a credit note is a person's
    decision; also in chk_unbilled_expense).
    The fields are the ownership file's expense fields naming netsuite as a receiver; values
    are text, the amount with two decimals, dates ISO, ids as text. -#}

{%- set fields = {
    'amount': (format_amount('amount'), format_amount('charge_amount')),
    'spent_date': ('cast(spent_date as ' ~ dbt.type_string() ~ ')', 'cast(charge_date as ' ~ dbt.type_string() ~ ')'),
    'currency_code': ('currency_code', 'charge_currency_code'),
    'legal_entity_id': ('legal_entity_id', 'charge_legal_entity_id'),
    'billing_item_id': ('billing_item_id', 'charge_billing_item_id'),
    'netsuite_project_id': ('netsuite_project_id', 'charge_project_id'),
    'netsuite_customer_id': ('netsuite_customer_id', 'charge_customer_id'),
} -%}

with

receiving_fields as (
    select field from {{ ref('stg_governance__ownership_receivers') }}
    where entity = 'expense' and receiver = 'netsuite'
),

-- when the ERP's charges were last landed: a create written after it waits for the next load
-- (which shows the charge); one still missing after a later load is written again (an upsert)
charges_landed as (
    select max(extracted_at) as landed_at from {{ ref('stg_netsuite__charges') }}
),

expenses as (
    select * from {{ ref('int_expenses_validated') }}
    where is_valid
        and (not is_posted or (is_changed_since_posting and not is_invoiced))
),

records as (
    select
        'harvest:' || expense_id as sync_key,
        golden_customer_id as golden_id,
        case when is_posted then 'update' else 'create' end as operation,
        charge_id as target_record_id,
        'harvest-ex-' || expense_id || '-v'
            || cast(case when is_posted then posting_version + 1 else 1 end as {{ dbt.type_string() }})
            as external_id,
        case
            when is_posted then charge_extracted_at
            else (select landed_at from charges_landed)
        end as current_as_of,
        expenses.*
    from expenses
),

values_long as (
    {%- for field, (desired, held) in fields.items() %}
    select
        sync_key,
        '{{ field }}' as field,
        {{ desired }} as desired_value,
        case when operation = 'update' then {{ held }} end as current_value
    from records
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    records.sync_key,
    records.golden_id,
    records.operation,
    records.target_record_id,
    records.external_id,
    values_long.field,
    values_long.desired_value,
    values_long.current_value,
    records.current_as_of
from records
inner join values_long
    on values_long.sync_key = records.sync_key
inner join receiving_fields
    on receiving_fields.field = values_long.field
where values_long.desired_value is not null
    and (records.operation = 'create' or values_long.desired_value is distinct from values_long.current_value)
