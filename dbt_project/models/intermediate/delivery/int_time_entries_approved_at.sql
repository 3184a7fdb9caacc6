{#- When each time entry became approved: the change time (Harvest's updated_at) of the first
    landed version whose approval status is approved. Harvest has no approval timestamp of its
    own, so this is as precise as the loads are frequent. -#}

with

history as (
    select * from {{ ref('stg_harvest__time_entry_history') }}
)

select
    time_entry_id,
    min(updated_at) as approved_at
from history
where approval_status = 'approved'
group by time_entry_id
