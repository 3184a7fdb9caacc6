{#- What posting a PSA project's approved time and expenses to the ERP is checked against, one
    row per PSA project (linked in canonical.projects): its golden project and customer, the
    ERP project (job) with its customer and subsidiary, the signed contract with its currency,
    and the legal entity the contract was signed with. int_time_entries_validated and
    int_expenses_validated read it; project_fingerprint (md5 of every column the validations
    read) lets the incremental time validation find the entries whose project changed. -#}

with

projects as (
    select * from {{ ref('projects') }}
    where harvest_project_id is not null
),

-- a job with a broken reference is none to post to (chk_broken_reference)
erp_projects as (
    select * from {{ ref('stg_netsuite__projects') }}
    where not is_deleted
        and {{ references_intact('stg_netsuite__projects', 'project_id') }}
)

select
    projects.harvest_project_id,
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
    {{ fingerprint([
        'projects.golden_project_id', 'projects.golden_customer_id', 'projects.name', 'projects.netsuite_project_id',
        'erp_projects.project_number', 'erp_projects.customer_id', 'erp_projects.subsidiary_id',
        'project_subsidiaries.subsidiary_name', 'contracts.contract_id', 'contracts.contract_number',
        'contracts.currency_code', 'contracted_entities.contracted_legal_entity_name',
        'contracted_entities.contracted_legal_entity_id',
    ]) }} as project_fingerprint
from projects
left join erp_projects
    on erp_projects.project_id = projects.netsuite_project_id
left join {{ ref('stg_netsuite__subsidiaries') }} as project_subsidiaries
    on project_subsidiaries.subsidiary_id = erp_projects.subsidiary_id
left join {{ ref('contracts') }} as contracts
    on contracts.contract_id = projects.contract_id
left join {{ ref('int_projects_contracted_entities') }} as contracted_entities
    on contracted_entities.project_id = projects.netsuite_project_id
