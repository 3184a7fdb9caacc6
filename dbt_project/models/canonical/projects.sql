{#- Golden projects: one per real engagement, linking the deal that sold it (CRM), the PSA
    project that delivers it and the ERP job that bills it (see project_xref). Delivery facts
    (status, budget, billability, dates) come from the PSA, their authority; the contract and
    legal entity from the deal, else the ERP job's subsidiary. golden_project_id is stable:
    derived from the anchor record (the opportunity if any, else the PSA project). -#}

with

linked as (
    select * from {{ ref('int_projects_linked') }}
),

psa as (
    select * from {{ ref('stg_harvest__projects') }}
),

erp as (
    select * from {{ ref('stg_netsuite__projects') }}
),

opportunities as (
    select * from {{ ref('opportunities') }}
),

contracts as (
    select
        opportunity_id,
        contract_id,
        row_number() over (partition by opportunity_id order by start_date desc, contract_id) as contract_rank
    from {{ ref('contracts') }}
    where opportunity_id is not null
),

customer_xref as (
    select * from {{ ref('customer_xref') }}
)

select
    linked.golden_project_id,
    coalesce(opportunities.golden_customer_id, psa_client.golden_customer_id, erp_customer.golden_customer_id)
        as golden_customer_id,
    linked.opportunity_id,
    contracts.contract_id,
    linked.harvest_project_id,
    linked.netsuite_project_id,
    coalesce(opportunities.legal_entity_id, erp.subsidiary_id) as legal_entity_id,
    linked.anchor_system,
    linked.match_method,
    coalesce(psa.project_name, erp.project_name, opportunities.name) as name,
    coalesce(psa.project_code, opportunities.opportunity_number) as project_code,
    case
        when psa.project_id is not null and psa.is_active then 'active'
        when psa.project_id is not null then 'closed'
        when erp.project_status = 'Closed' or erp.is_inactive then 'closed'
        else 'active'
    end as status,
    opportunities.service_line,
    coalesce(psa.currency_code, opportunities.currency_code) as currency_code,
    psa.budget as budget_hours,
    psa.budget_by,
    coalesce(psa.is_billable, true) as is_billable,
    coalesce(psa.is_fixed_fee, false) as is_fixed_fee,
    coalesce(psa.start_date, erp.start_date) as starts_on,
    coalesce(psa.end_date, erp.projected_end_date) as ends_on,
    coalesce(psa.created_at, erp.created_at) as created_at
from linked
left join psa
    on linked.harvest_project_id = psa.project_id
left join erp
    on linked.netsuite_project_id = erp.project_id
left join opportunities
    on linked.opportunity_id = opportunities.opportunity_id
left join contracts
    on linked.opportunity_id = contracts.opportunity_id
    and contracts.contract_rank = 1
left join customer_xref as psa_client
    on psa_client.record_key = 'harvest:' || psa.client_id
left join customer_xref as erp_customer
    on erp_customer.record_key = 'netsuite:' || erp.customer_id
