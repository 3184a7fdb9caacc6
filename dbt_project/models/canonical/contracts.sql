{#- Signed client contracts from the CRM (their authority): the deal they came from, the
    client, the contracting legal entity, term and currency, and how many rate amendments
    they carry. Rates themselves, effective-dated per amendment, are in rate_cards. -#}

with

-- a contract naming a deal or account the CRM does not have is left out (chk_broken_reference)
contracts as (
    select * from {{ ref('stg_salesforce__contracts') }}
    where {{ is_live() }}
        and {{ references_intact('stg_salesforce__contracts', 'contract_id') }}
),

amendments as (
    select
        contract_id,
        max(amendment_number) as latest_amendment_number,
        count(distinct amendment_number) as rate_version_count
    from {{ ref('rate_cards') }}
    group by contract_id
),

customer_xref as (
    select * from {{ ref('customer_xref') }}
    where source_system = 'salesforce'
),

legal_entities as (
    select * from {{ ref('legal_entities') }}
)

select
    contracts.contract_id,
    contracts.opportunity_id,
    customer_xref.golden_customer_id,
    contracts.account_id,
    legal_entities.legal_entity_id,
    contracts.contract_number,
    contracts.contract_status as status,
    contracts.currency_code,
    contracts.payment_terms,
    contracts.contract_term_months,
    coalesce(amendments.latest_amendment_number, 0) as latest_amendment_number,
    coalesce(amendments.rate_version_count, 0) as rate_version_count,
    contracts.start_date,
    contracts.end_date,
    contracts.created_at,
    contracts.updated_at
from contracts
left join amendments
    on contracts.contract_id = amendments.contract_id
left join customer_xref
    on customer_xref.source_record_id = contracts.account_id
left join legal_entities
    on legal_entities.name = contracts.legal_entity
