{#- When each opportunity became Closed Won. The history keeps every version Concord landed:
    a deal seen open and later won became won at the change time (SystemModstamp) of its
    first won version, and a deal won, reopened and won again keeps its first win. A deal
    already won when Concord first landed it was won before anyone watched: its close date,
    which the CRM sets when a deal closes, is the best record of when. -#}

with

history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }}
),

first_landed as (
    select opportunity_id, is_won, close_date
    from (
        select
            opportunity_id,
            is_won,
            close_date,
            row_number() over (partition by opportunity_id order by updated_at, load_id) as landed_rank
        from history
    ) as ranked
    where landed_rank = 1
),

first_won_change as (
    select
        opportunity_id,
        min(updated_at) as won_at
    from history
    where is_won
    group by opportunity_id
)

select
    first_won_change.opportunity_id,
    case
        when first_landed.is_won and first_landed.close_date is not null
            then cast(first_landed.close_date as {{ dbt.type_timestamp() }}) at time zone 'UTC'
        else first_won_change.won_at
    end as won_at,
    case
        when first_landed.is_won and first_landed.close_date is not null then 'close_date'
        else 'landed_history'
    end as won_at_source
from first_won_change
inner join first_landed
    on first_landed.opportunity_id = first_won_change.opportunity_id
