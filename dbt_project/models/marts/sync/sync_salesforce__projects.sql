{#- What Concord writes to Salesforce opportunities: one row per (opportunity, field) whose
    authoritative value is distinct from what Salesforce held when last landed. The fields are
    the ownership file's project fields naming salesforce as a receiver (the delivery status,
    Delivery_Status__c, from the PSA that owns it). Updates only, into the opportunity that
    anchors a golden project delivered by a PSA project: a project the PSA does not know has no
    authoritative status. Statuses are spelled as canonical.projects spells them (the
    Salesforce picklist restricts no values). -#}

{%- set golden_attributes = {'project_status': 'status'} -%}
{%- set held_by_salesforce = {'project_status': 'opportunities.delivery_status'} -%}

with

receiving_fields as (
    select field from {{ ref('stg_governance__ownership_receivers') }}
    where entity = 'project' and receiver = 'salesforce'
),

projects as (
    select * from {{ ref('projects') }}
    where harvest_project_id is not null
),

project_xref as (
    select * from {{ ref('project_xref') }}
    where source_system = 'salesforce'
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

update_targets as (
    select
        projects.golden_project_id,
        project_xref.source_record_id as opportunity_id,
        opportunities.extracted_at
    from projects
    inner join project_xref
        on project_xref.golden_project_id = projects.golden_project_id
    inner join opportunities
        on opportunities.opportunity_id = project_xref.source_record_id
),

desired as (
    {{ fields_long('projects', 'golden_project_id', golden_attributes, 'desired_value') }}
),

held as (
    {{ fields_long('opportunities', 'opportunity_id', held_by_salesforce, 'current_value') }}
),

updates as (
    {{ sync_update_rows('salesforce', targets='update_targets', target_key='opportunity_id', golden_key='golden_project_id',
                        desired='desired', held='held', receiving='receiving_fields') }}
)

select *
from updates
where desired_value is not null
    and desired_value is distinct from current_value
