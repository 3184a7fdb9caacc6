{#- Sales opportunities (deals) from the CRM, their authority: who the client is (golden
    customer), stage, value, service line, the legal entity that will contract, when the deal
    was won, and the PSA project / ERP job it was provisioned as. -#}

with

-- a deal of an account the CRM does not have is left out (chk_broken_reference)
opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where {{ is_live() }}
        and {{ references_intact('stg_salesforce__opportunities', 'opportunity_id') }}
),

won as (
    select * from {{ ref('int_opportunities_won_at') }}
),

customer_xref as (
    select * from {{ ref('customer_xref') }}
    where source_system = 'salesforce'
),

legal_entities as (
    select * from {{ ref('legal_entities') }}
)

select
    opportunities.opportunity_id,
    customer_xref.golden_customer_id,
    opportunities.account_id,
    legal_entities.legal_entity_id,
    opportunities.harvest_project_id,
    opportunities.netsuite_project_id,
    opportunities.opportunity_number,
    opportunities.opportunity_name as name,
    opportunities.opportunity_type,
    opportunities.stage_name as stage,
    opportunities.service_line,
    opportunities.currency_code,
    opportunities.delivery_status,
    opportunities.amount,
    opportunities.probability,
    opportunities.is_won,
    opportunities.is_closed,
    opportunities.close_date,
    opportunities.created_at,
    -- a deal landed already won, before Concord kept history, counts from its last change
    case
        when opportunities.is_won then coalesce(won.won_at, opportunities.updated_at)
    end as won_at,
    opportunities.updated_at
from opportunities
left join won
    on opportunities.opportunity_id = won.opportunity_id
left join customer_xref
    on customer_xref.source_record_id = opportunities.account_id
left join legal_entities
    on legal_entities.name = opportunities.legal_entity
