{#- Every approved, billable PSA expense checked against its contract before it is posted to
    the ERP as a billable charge (scenario "approved time and expenses -> billable in the ERP"),
    with the charge it would be and, once posted, the charge it is. The sibling of
    int_time_entries_validated; an expense has no rate to check: the charge bills its amount,
    one unit at the expense's total.

    The checks, in order; the first that fails is the expense's validation_failure, with a
    reason a finance person can read:
    - no_erp_project: the PSA project has no ERP project (job) to post it to;
    - no_contract: the project has no signed contract to bill it against;
    - unmapped_category: the expense category maps to no ERP billing item
      (seeds/billing_items.csv, by the item's code, an item the ERP has and has not made inactive);
    - no_amount: the PSA holds no positive amount for it;
    - unknown_legal_entity / wrong_legal_entity: the contract's legal entity is no ERP
      subsidiary, or the ERP project is booked in another one.
    The charge is in the contract's currency and legal entity, as time's are: Harvest keeps one
    currency per client, so the PSA may show a client's other contract currency.

    The approval day is the expense's last change in the PSA (an approved expense is locked);
    days_since_approval counts to the same data day as time (the day after the latest PSA
    activity when the landed data stops before today).

    A posted expense is changed_since_posting when the PSA now says something else than its
    charge (amount, day, project or billing item): an edit after posting, to be corrected on
    the same charge. posting_version is the version in the charge's external id
    (harvest-ex-<expense id>-v<n>): 1 for a first posting, one more for each correction. -#}

{#- the reason of the expense-only failure, for billing_validation_reason -#}
{%- set unmapped_category %}'expense category ' || coalesce(judged.category_name, judged.expense_category_id, '(none)'){% endset %}

with

-- an expense with a broken reference is not posted (chk_broken_reference)
expenses as (
    select * from {{ ref('stg_harvest__expenses') }}
    where {{ is_live() }}
        and approval_status = 'approved'
        and is_billable
        and {{ references_intact('stg_harvest__expenses', 'expense_id') }}
),

categories as (
    select * from {{ ref('stg_harvest__expense_categories') }}
),

project_contexts as (
    select * from {{ ref('int_project_billing_contexts') }}
),

billing_items as (
    select * from {{ ref('int_billing_items') }}
    where psa_object = 'expense_category'
),

-- the charges naming an expense (its charge's details are joined by id at the end)
naming_charges as (
    select charge_id, psa_source_record_id from {{ ref('charges') }}
    where psa_source_object = 'expenses'
),

-- an expense posted twice (by hand, or an old integration) is corrected on its first charge
posted as (
    select
        psa_source_record_id as expense_id,
        min(charge_id) as charge_id
    from naming_charges
    group by psa_source_record_id
),

joined as (
    select
        expenses.expense_id,
        expenses.client_id as harvest_client_id,
        expenses.project_id as harvest_project_id,
        expenses.expense_category_id,
        categories.expense_category_name as category_name,
        expenses.user_id,
        expenses.spent_date,
        expenses.total_cost as amount,
        expenses.currency_code as psa_currency_code,
        cast(expenses.updated_at as date) as approved_on,
        {{ dbt.datediff(
            'cast(expenses.updated_at as date)',
            psa_as_of_date([ref('stg_harvest__time_entries'), ref('stg_harvest__expenses')]),
            'day'
        ) }} as days_since_approval,
        project_contexts.golden_project_id,
        project_contexts.golden_customer_id,
        project_contexts.project_name,
        project_contexts.netsuite_project_id,
        project_contexts.netsuite_project_number,
        project_contexts.netsuite_customer_id,
        project_contexts.netsuite_project_subsidiary_id,
        project_contexts.netsuite_project_subsidiary_name,
        project_contexts.contract_id,
        project_contexts.contract_label,
        project_contexts.currency_code,
        project_contexts.contracted_legal_entity_name,
        project_contexts.legal_entity_id,
        billing_items.erp_item_code,
        billing_items.item_id as billing_item_id,
        posted.charge_id,
        posted.charge_id is not null as is_posted
    from expenses
    left join categories
        on categories.expense_category_id = expenses.expense_category_id
    left join project_contexts
        on project_contexts.harvest_project_id = expenses.project_id
    left join billing_items
        on billing_items.psa_name = categories.expense_category_name
    left join posted
        on posted.expense_id = expenses.expense_id
),

judged as (
    select
        joined.*,
        {{ billing_validation_failure('unmapped_category', [
            ('no_amount', 'amount is null or amount <= 0'),
        ]) }} as validation_failure
    from joined
)

select
    judged.expense_id,
    judged.harvest_client_id,
    judged.harvest_project_id,
    judged.expense_category_id,
    judged.category_name,
    judged.user_id,
    judged.golden_project_id,
    judged.golden_customer_id,
    judged.netsuite_project_id,
    judged.netsuite_customer_id,
    judged.contract_id,
    judged.legal_entity_id,
    judged.billing_item_id,
    judged.currency_code,
    judged.psa_currency_code,
    judged.spent_date,
    judged.amount,
    judged.approved_on,
    judged.days_since_approval,
    judged.validation_failure is null as is_valid,
    judged.validation_failure,
    {{ billing_validation_reason(
        'judged', 'unmapped_category', unmapped_category,
        [('no_amount', "'the PSA holds no amount above zero for it'")]
    ) }} as validation_reason,
    judged.is_posted,
    charges.charge_id,
    charges.external_id as charge_external_id,
    {{ charge_posting_version('charges.external_id') }} as posting_version,
    charges.amount as charge_amount,
    charges.charge_date,
    charges.project_id as charge_project_id,
    charges.customer_id as charge_customer_id,
    charges.billing_item_id as charge_billing_item_id,
    charges.legal_entity_id as charge_legal_entity_id,
    charges.currency_code as charge_currency_code,
    charges.invoice_id as charge_invoice_id,
    charges.extracted_at as charge_extracted_at,
    charges.invoice_id is not null as is_invoiced,
    charges.charge_id is not null and (
        round(cast(charges.amount as numeric), 2) is distinct from round(cast(judged.amount as numeric), 2)
        or charges.charge_date is distinct from judged.spent_date
        or charges.project_id is distinct from judged.netsuite_project_id
        or charges.billing_item_id is distinct from judged.billing_item_id
    ) as is_changed_since_posting
from judged
left join {{ ref('charges') }} as charges
    on charges.charge_id = judged.charge_id
