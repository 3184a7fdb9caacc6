{#- When each won deal became ready to deliver: one row per won opportunity whose client has
    an ERP customer and whose PSA project (with its PSA client) exists, with the ids in each
    system and ready_at, the moment the last of the three came into being - each stamped by
    the system that created it (NetSuite's datecreated, Harvest's created_at), on the same
    clock as the deal's won_at. Quote-to-ready cycle time (marts.kpis) is measured from it.

    Why derived from the systems' own creation stamps rather than a ledger the write-back
    appends to, or an incremental model noting the first build that saw all three: the time is
    the truthful one (not when a build or a write-back run happened to notice, nor the loader's
    machine clock), it covers records people set up by hand as well as those Concord
    provisioned, and a rebuild from scratch gives every row back unchanged - nothing lives
    only in a table a full refresh would drop. Who created the records, and when Concord tried,
    is the write-back ledger's (reverse_etl.attempts). -#}

with

won_opportunities as (
    select * from {{ ref('opportunities') }}
    where is_won
),

projects as (
    select * from {{ ref('projects') }}
    where opportunity_id is not null
        and harvest_project_id is not null
),

harvest_projects as (
    select * from {{ ref('stg_harvest__projects') }}
    where {{ is_live() }}
),

clients as (
    select * from {{ ref('stg_harvest__clients') }}
    where {{ is_live() }}
),

erp_customers as (
    select
        xref.golden_customer_id,
        customers.customer_id,
        customers.created_at
    from {{ ref('customer_xref') }} as xref
    inner join {{ ref('stg_netsuite__customers') }} as customers
        on customers.customer_id = xref.source_record_id
    where xref.source_system = 'netsuite'
),

-- a deal's first PSA project (a deal may reach more than one), with the client it sits under
first_projects as (
    select *
    from (
        select
            projects.opportunity_id,
            projects.golden_project_id,
            projects.netsuite_project_id,
            harvest_projects.project_id as harvest_project_id,
            harvest_projects.created_at as project_created_at,
            clients.client_id as harvest_client_id,
            clients.created_at as client_created_at,
            row_number() over (
                partition by projects.opportunity_id
                order by harvest_projects.created_at, harvest_projects.project_id
            ) as project_rank
        from projects
        inner join harvest_projects
            on harvest_projects.project_id = projects.harvest_project_id
        inner join clients
            on clients.client_id = harvest_projects.client_id
    ) as ranked
    where project_rank = 1
),

-- the customer's first ERP customer record
first_erp_customers as (
    select *
    from (
        select
            *,
            row_number() over (partition by golden_customer_id order by created_at, customer_id) as customer_rank
        from erp_customers
    ) as ranked
    where customer_rank = 1
)

select
    won_opportunities.opportunity_id,
    won_opportunities.golden_customer_id,
    first_projects.golden_project_id,
    first_erp_customers.customer_id as netsuite_customer_id,
    first_projects.harvest_client_id,
    first_projects.harvest_project_id,
    first_projects.netsuite_project_id,
    won_opportunities.won_at,
    greatest(first_erp_customers.created_at, first_projects.client_created_at, first_projects.project_created_at)
        as ready_at
from won_opportunities
inner join first_projects
    on first_projects.opportunity_id = won_opportunities.opportunity_id
inner join first_erp_customers
    on first_erp_customers.golden_customer_id = won_opportunities.golden_customer_id
