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

with

expenses as (
    select * from {{ ref('stg_harvest__expenses') }}
    where {{ is_live() }}
        and approval_status = 'approved'
        and is_billable
),

categories as (
    select * from {{ ref('stg_harvest__expense_categories') }}
),

projects as (
    select * from {{ ref('projects') }}
    where harvest_project_id is not null
),

contracts as (
    select * from {{ ref('contracts') }}
),

contracted_entities as (
    select * from {{ ref('int_projects_contracted_entities') }}
),

erp_projects as (
    select * from {{ ref('stg_netsuite__projects') }}
    where not is_deleted
),

subsidiaries as (
    select * from {{ ref('stg_netsuite__subsidiaries') }}
),

billing_items as (
    select
        billing_items.psa_name as category_name,
        billing_items.erp_item_code,
        items.item_id
    from {{ ref('billing_items') }} as billing_items
    left join {{ ref('stg_netsuite__items') }} as items
        on items.item_code = billing_items.erp_item_code
        and not coalesce(items.is_deleted, false)
        and not coalesce(items.is_inactive, false)
    where billing_items.psa_object = 'expense_category'
),

charges as (
    select
        traced.*,
        currencies.currency_code
    from {{ ref('int_charges_traced') }} as traced
    left join {{ ref('stg_netsuite__currencies') }} as currencies
        on currencies.currency_id = traced.currency_id
    where traced.psa_source_object = 'expenses'
),

-- an expense posted twice (by hand, or an old integration) is corrected on its first charge
posted as (
    select
        psa_source_record_id as expense_id,
        min(charge_id) as charge_id
    from charges
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
        projects.golden_project_id,
        projects.golden_customer_id,
        projects.name as project_name,
        projects.netsuite_project_id,
        erp_projects.project_number as netsuite_project_number,
        erp_projects.customer_id as netsuite_customer_id,
        erp_projects.subsidiary_id as netsuite_project_subsidiary_id,
        project_subsidiaries.subsidiary_name as netsuite_project_subsidiary_name,
        contracts.contract_id,
        coalesce(contracts.contract_number, contracts.contract_id) as contract_label,
        contracts.currency_code,
        contracted_entities.contracted_legal_entity_name,
        contracted_entities.contracted_legal_entity_id as legal_entity_id,
        billing_items.erp_item_code,
        billing_items.item_id as billing_item_id,
        posted.charge_id,
        posted.charge_id is not null as is_posted
    from expenses
    left join categories
        on categories.expense_category_id = expenses.expense_category_id
    left join projects
        on projects.harvest_project_id = expenses.project_id
    left join erp_projects
        on erp_projects.project_id = projects.netsuite_project_id
    left join subsidiaries as project_subsidiaries
        on project_subsidiaries.subsidiary_id = erp_projects.subsidiary_id
    left join contracts
        on contracts.contract_id = projects.contract_id
    left join contracted_entities
        on contracted_entities.project_id = projects.netsuite_project_id
    left join billing_items
        on billing_items.category_name = categories.expense_category_name
    left join posted
        on posted.expense_id = expenses.expense_id
),

judged as (
    select
        joined.*,
        case
            when netsuite_project_id is null or netsuite_project_number is null then 'no_erp_project'
            when contract_id is null then 'no_contract'
            when billing_item_id is null then 'unmapped_category'
            when amount is null or amount <= 0 then 'no_amount'
            when legal_entity_id is null then 'unknown_legal_entity'
            when netsuite_project_subsidiary_id is distinct from legal_entity_id then 'wrong_legal_entity'
        end as validation_failure
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
    case judged.validation_failure
        when 'no_erp_project' then 'project ' || coalesce(judged.project_name, judged.harvest_project_id)
            || ' has no ERP project to post it to'
        when 'no_contract' then 'project ' || coalesce(judged.project_name, judged.harvest_project_id)
            || ' has no signed contract to bill it against'
        when 'unmapped_category' then 'expense category '
            || coalesce(judged.category_name, judged.expense_category_id, '(none)')
            || case
                when judged.erp_item_code is null then ' is mapped to no ERP billing item'
                else ' is billed as item ' || judged.erp_item_code || ', which the ERP does not have (or made inactive)'
            end
        when 'no_amount' then 'the PSA holds no amount above zero for it'
        when 'unknown_legal_entity' then 'contract ' || judged.contract_label || ' was signed with '
            || coalesce(judged.contracted_legal_entity_name, '(no legal entity)') || ', which is no ERP subsidiary'
        when 'wrong_legal_entity' then 'ERP project ' || judged.netsuite_project_number || ' is booked in '
            || coalesce(judged.netsuite_project_subsidiary_name, 'subsidiary ' || judged.netsuite_project_subsidiary_id)
            || ' but contract ' || judged.contract_label || ' was signed with ' || judged.contracted_legal_entity_name
    end as validation_reason,
    judged.is_posted,
    charges.charge_id,
    charges.external_id as charge_external_id,
    coalesce(
        cast(nullif(regexp_replace({{ dbt.split_part('charges.external_id', "'-'", 4) }}, '[^0-9]', '', 'g'), '') as integer),
        1
    ) as posting_version,
    charges.amount as charge_amount,
    charges.charge_date,
    charges.project_id as charge_project_id,
    charges.customer_id as charge_customer_id,
    charges.item_id as charge_billing_item_id,
    charges.subsidiary_id as charge_legal_entity_id,
    charges.currency_code as charge_currency_code,
    charges.invoice_id as charge_invoice_id,
    charges.extracted_at as charge_extracted_at,
    charges.invoice_id is not null as is_invoiced,
    charges.charge_id is not null and (
        round(cast(charges.amount as numeric), 2) is distinct from round(cast(judged.amount as numeric), 2)
        or charges.charge_date is distinct from judged.spent_date
        or charges.project_id is distinct from judged.netsuite_project_id
        or charges.item_id is distinct from judged.billing_item_id
    ) as is_changed_since_posting
from judged
left join charges
    on charges.charge_id = judged.charge_id
