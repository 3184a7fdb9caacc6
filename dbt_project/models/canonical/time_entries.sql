{#- Hours consultants logged against projects (the PSA is their authority): project, consultant,
    task (the sold role), day, hours, the billable rate the PSA applied, and where the entry
    stands in approval (approved_at: when it became approved) and billing.

    Incremental (the big table): a run reprocesses the entries landed by loads newer than the
    newest load already in the table (dlt load ids increase, and a load's rows become visible
    together) - a changed entry (approved, billed, deleted in Harvest) is landed again - plus
    the entries whose project now has another golden id (a deal linked later re-anchors it).
    Entries deleted in Harvest stay, flagged is_deleted. An entry with a broken reference (a
    deleted project, say: int_broken_references) is left out, and removed if it was here; it
    comes back when the reference is fixed, as does every landed entry this table lacks. -#}

{{ config(
    materialized='incremental',
    unique_key='time_entry_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where time_entry_id in (select source_record_id from {{ ref('int_broken_references') }} where source_model = 'stg_harvest__time_entries'){% endif %}"
) }}

with

{% if is_incremental() %}
-- what to reprocess, as one key set (an `in` inside an `or` would make PostgreSQL probe a
-- million-row list once per entry)
reprocessed as (
    select time_entry_id from {{ ref('stg_harvest__time_entries') }}
    where load_id > (select max(load_id) from {{ this }})
    union
    select existing.time_entry_id
    from {{ this }} as existing
    left join {{ ref('project_xref') }} as current_xref
        on current_xref.record_key = 'harvest:' || existing.harvest_project_id
    where existing.golden_project_id is distinct from current_xref.golden_project_id
    union
    -- left out before (a broken reference since fixed)
    select landed.time_entry_id
    from {{ ref('stg_harvest__time_entries') }} as landed
    where not exists (select 1 from {{ this }} as existing where existing.time_entry_id = landed.time_entry_id)
),
{% endif %}

entries as (
    select * from {{ ref('stg_harvest__time_entries') }}
    where {{ references_intact('stg_harvest__time_entries', 'time_entry_id') }}
    {% if is_incremental() %}
        and time_entry_id in (select time_entry_id from reprocessed)
    {% endif %}
),

approvals as (
    select * from {{ ref('int_time_entries_approved_at') }}
),

project_xref as (
    select * from {{ ref('project_xref') }}
    where source_system = 'harvest'
),

tasks as (
    select * from {{ ref('stg_harvest__tasks') }}
)

select
    entries.time_entry_id,
    project_xref.golden_project_id,
    entries.project_id as harvest_project_id,
    entries.user_id as resource_id,
    entries.task_id,
    entries.task_assignment_id,
    tasks.task_name as role_name,
    entries.invoice_id,
    entries.currency_code,
    entries.approval_status,
    entries.notes,
    entries.spent_date,
    entries.hours,
    entries.billable_rate,
    entries.cost_rate,
    entries.hours * coalesce(entries.billable_rate, 0) as billable_amount,
    coalesce(entries.is_billable, false) as is_billable,
    coalesce(entries.is_billed, false) as is_billed,
    coalesce(entries.is_locked, false) as is_locked,
    coalesce(entries.is_deleted, false) as is_deleted,
    case
        when entries.approval_status = 'approved'
            then coalesce(approvals.approved_at, entries.updated_at)
    end as approved_at,
    entries.created_at,
    entries.updated_at,
    entries.extracted_at,
    entries.load_id
from entries
left join approvals
    on entries.time_entry_id = approvals.time_entry_id
left join project_xref
    on project_xref.source_record_id = entries.project_id
left join tasks
    on entries.task_id = tasks.task_id
