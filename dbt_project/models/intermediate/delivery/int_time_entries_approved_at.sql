{#- When each time entry became approved: the change time (Harvest's updated_at) of the first
    landed version whose approval status is approved. Harvest has no approval timestamp of its
    own, so this is as precise as the loads are frequent.

    Incremental: the history only grows, load by load, and a first approval never changes, so
    a run reads the loads newer than the newest one here and adds the entries approved for the
    first time in them. -#}

{{ config(materialized='incremental', unique_key='time_entry_id', incremental_strategy='delete+insert') }}

with

history as (
    select * from {{ ref('stg_harvest__time_entry_history') }} as versions
    where approval_status = 'approved'
    {% if is_incremental() %}
        and load_id > (select max(load_id) from {{ this }})
        -- an anti-join: PostgreSQL runs `not in (subquery)` row by row once the ids outgrow work_mem
        and not exists (select 1 from {{ this }} as approved where approved.time_entry_id = versions.time_entry_id)
    {% endif %}
)

select
    time_entry_id,
    min(updated_at) as approved_at,
    max(load_id) as load_id
from history
group by time_entry_id
