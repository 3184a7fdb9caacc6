{#- The legal entity each ERP project must invoice from: the Legal_Entity__c of the contract
    signed for the project's opportunity (the ERP project's custentity_sf_opportunity_id, or
    else the opportunity that names the ERP project), mapped to the NetSuite subsidiary of the
    same name. Projects without a contract (e.g. orphan projects) have no row. -#}

with

projects as (
    select * from {{ ref('stg_netsuite__projects') }}
    where not is_deleted
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where not is_deleted
),

contracts as (
    select * from {{ ref('stg_salesforce__contracts') }}
    where not is_deleted
),

subsidiaries as (
    select * from {{ ref('stg_netsuite__subsidiaries') }}
    where not is_deleted
),

project_opportunities as (
    select
        projects.project_id,
        coalesce(projects.salesforce_opportunity_id, min(opportunities.opportunity_id))
            as opportunity_id
    from projects
    left join opportunities
        on opportunities.netsuite_project_id = projects.project_id
    group by projects.project_id, projects.salesforce_opportunity_id
),

-- one contract per opportunity; should there be several, the latest started one rules
ranked_contracts as (
    select
        contracts.*,
        row_number() over (
            partition by contracts.opportunity_id
            order by contracts.start_date desc, contracts.contract_id desc
        ) as recency
    from contracts
)

select
    project_opportunities.project_id,
    project_opportunities.opportunity_id,
    ranked_contracts.contract_id,
    ranked_contracts.contract_number,
    ranked_contracts.legal_entity as contracted_legal_entity_name,
    subsidiaries.subsidiary_id as contracted_legal_entity_id
from project_opportunities
inner join ranked_contracts
    on ranked_contracts.opportunity_id = project_opportunities.opportunity_id
    and ranked_contracts.recency = 1
left join subsidiaries
    on subsidiaries.subsidiary_name = ranked_contracts.legal_entity
