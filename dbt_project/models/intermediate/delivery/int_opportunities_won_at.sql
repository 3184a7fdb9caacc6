{#- When each opportunity became Closed Won: the first landed version of it that is won (its
    SystemModstamp). The history keeps every version Concord landed, so a deal won, reopened
    and won again keeps its first win. -#}

with

history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }}
)

select
    opportunity_id,
    min(updated_at) as won_at
from history
where is_won
group by opportunity_id
