{#- One row per real project, linking its three records: the CRM opportunity that sold it,
    the PSA (Harvest) project that delivers it and the ERP (NetSuite) job that bills it.

    Links, strongest first, using the cross-references each system holds:
      1. the opportunity's Harvest_Project_Id__c names the PSA project;
      2. the ERP job's custentity_harvest_project_id names the PSA project, and its
         custentity_sf_opportunity_id the opportunity;
      3. the PSA project code is the opportunity number (won deals only).
    ERP jobs are linked to PSA projects by the job's own reference, else by the opportunity's
    NetSuite_Project_Id__c. ERP jobs that reach no PSA project become projects of their own.
    Records with a broken reference (int_broken_references: a PSA project of a missing client)
    are left out.
    The golden id comes from the anchor: the opportunity if any, else the PSA project (else the
    ERP job). An opportunity anchors only one project; further ones anchor on their PSA record. -#}

with

-- a record with a broken reference (int_broken_references) is no project's record
opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where {{ is_live() }}
        and {{ references_intact('stg_salesforce__opportunities', 'opportunity_id') }}
),

psa_projects as (
    select * from {{ ref('stg_harvest__projects') }}
    where {{ is_live() }}
        and {{ references_intact('stg_harvest__projects', 'project_id') }}
),

erp_projects as (
    select * from {{ ref('stg_netsuite__projects') }}
    where {{ is_live() }}
        and {{ references_intact('stg_netsuite__projects', 'project_id') }}
),

psa_candidates as (
    select
        psa.project_id as harvest_project_id,
        coalesce(
            erp_by_ref.project_id,
            -- the job the deal names, unless it is left out for a broken reference
            case
                when {{ references_intact('stg_netsuite__projects', 'opp_by_ref.netsuite_project_id') }}
                    then opp_by_ref.netsuite_project_id
            end
        ) as netsuite_project_id,
        coalesce(opp_by_ref.opportunity_id, opp_by_erp.opportunity_id, opp_by_code.opportunity_id)
            as opportunity_id,
        case
            when opp_by_ref.opportunity_id is not null then 'opportunity_psa_reference'
            when opp_by_erp.opportunity_id is not null then 'erp_job_reference'
            when opp_by_code.opportunity_id is not null then 'project_code'
            else 'unmatched'
        end as match_method
    from psa_projects as psa
    left join opportunities as opp_by_ref
        on opp_by_ref.harvest_project_id = psa.project_id
    left join erp_projects as erp_by_ref
        on erp_by_ref.harvest_project_id = psa.project_id
    left join opportunities as opp_by_erp
        on opp_by_erp.opportunity_id = erp_by_ref.salesforce_opportunity_id
    left join opportunities as opp_by_code
        on opp_by_code.opportunity_number = psa.project_code
        and opp_by_code.is_won
),

-- a PSA project reached by two deals or two jobs keeps the strongest, then the lowest ids
psa_linked as (
    select harvest_project_id, netsuite_project_id, opportunity_id, match_method
    from (
        select
            *,
            row_number() over (
                partition by harvest_project_id
                order by
                    case match_method
                        when 'opportunity_psa_reference' then 1
                        when 'erp_job_reference' then 2
                        when 'project_code' then 3
                        else 4
                    end,
                    opportunity_id,
                    netsuite_project_id
            ) as link_rank
        from psa_candidates
    ) as ranked
    where link_rank = 1
),

erp_only as (
    select
        cast(null as {{ dbt.type_string() }}) as harvest_project_id,
        erp.project_id as netsuite_project_id,
        coalesce(opp_by_ref.opportunity_id, opp_by_erp.opportunity_id) as opportunity_id,
        case
            when opp_by_ref.opportunity_id is not null then 'opportunity_erp_reference'
            when opp_by_erp.opportunity_id is not null then 'erp_job_reference'
            else 'unmatched'
        end as match_method
    from erp_projects as erp
    left join opportunities as opp_by_ref
        on opp_by_ref.netsuite_project_id = erp.project_id
    left join opportunities as opp_by_erp
        on opp_by_erp.opportunity_id = erp.salesforce_opportunity_id
    where not exists (
        select 1 from psa_linked where psa_linked.netsuite_project_id = erp.project_id
    )
),

linked as (
    select * from psa_linked
    union all
    select * from erp_only
),

anchored as (
    select
        *,
        row_number() over (
            partition by opportunity_id
            order by
                case match_method
                    when 'opportunity_psa_reference' then 1
                    when 'opportunity_erp_reference' then 2
                    when 'erp_job_reference' then 3
                    else 4
                end,
                harvest_project_id,
                netsuite_project_id
        ) as opportunity_rank
    from linked
)

select
    {{ stable_id('PRJ', "case
        when opportunity_id is not null and opportunity_rank = 1 then 'salesforce:' || opportunity_id
        when harvest_project_id is not null then 'harvest:' || harvest_project_id
        else 'netsuite:' || netsuite_project_id
    end") }} as golden_project_id,
    case
        when opportunity_id is not null and opportunity_rank = 1 then 'salesforce'
        when harvest_project_id is not null then 'harvest'
        else 'netsuite'
    end as anchor_system,
    opportunity_id,
    harvest_project_id,
    netsuite_project_id,
    match_method
from anchored
