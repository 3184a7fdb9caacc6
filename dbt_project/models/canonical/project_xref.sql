{#- Every source record of a project in every system (CRM opportunity, PSA project, ERP job)
    and its golden project, with how it was linked and which record anchors the golden id. -#}

with

linked as (
    select * from {{ ref('int_projects_linked') }}
),

records as (
    select
        golden_project_id,
        'salesforce' as source_system,
        'opportunity' as source_object,
        opportunity_id as source_record_id,
        match_method,
        anchor_system = 'salesforce' as is_anchor
    from linked
    -- a deal that reaches two projects is the record of the one it anchors
    where opportunity_id is not null and anchor_system = 'salesforce'

    union all

    select
        golden_project_id,
        'harvest',
        'projects',
        harvest_project_id,
        match_method,
        anchor_system = 'harvest'
    from linked
    where harvest_project_id is not null

    union all

    select
        golden_project_id,
        'netsuite',
        'job',
        netsuite_project_id,
        match_method,
        anchor_system = 'netsuite'
    from linked
    where netsuite_project_id is not null
)

select
    source_system || ':' || source_record_id as record_key,
    golden_project_id,
    source_system,
    source_object,
    source_record_id,
    match_method,
    is_anchor
from records
