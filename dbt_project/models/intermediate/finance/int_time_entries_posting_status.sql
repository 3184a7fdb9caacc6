{#- Every approved, billable PSA time entry and whether it has been posted to the ERP as a
    billable charge. The approval day is the entry's last change in the PSA (an approved entry
    is locked, so nothing but invoicing changes it afterwards); `as_of_date` is the day the data
    describes: today, or - when the landed PSA data stops earlier (a snapshot, the simulated
    firm) - the day after its latest activity, so an SLA never counts days nobody could work. -#}

with

time_entries as (
    select * from {{ ref('stg_harvest__time_entries') }}
    where not is_deleted
),

charges as (
    select * from {{ ref('int_charges_traced') }}
    where psa_source_object = 'time_entries'
),

posted as (
    select
        psa_source_record_id as time_entry_id,
        min(charge_id) as charge_id,
        min(created_at) as posted_at
    from charges
    group by psa_source_record_id
),

data_clock as (
    select
        cast(
            {{ dbt.dateadd('day', 1, 'cast(max(updated_at) as date)') }} as date
        ) as day_after_latest_activity
    from time_entries
),

as_of as (
    select
        case
            when day_after_latest_activity < cast({{ run_started_at_utc() }} as date)
                then day_after_latest_activity
            else cast({{ run_started_at_utc() }} as date)
        end as as_of_date
    from data_clock
)

select
    time_entries.time_entry_id,
    time_entries.client_id,
    time_entries.project_id,
    time_entries.user_id,
    time_entries.task_id,
    time_entries.currency_code,
    time_entries.hours,
    time_entries.billable_rate,
    cast(time_entries.hours * time_entries.billable_rate as {{ dbt.type_float() }}) as billable_amount,
    time_entries.spent_date,
    cast(time_entries.updated_at as date) as approved_on,
    as_of.as_of_date,
    {{ dbt.datediff('cast(time_entries.updated_at as date)', 'as_of.as_of_date', 'day') }}
        as days_since_approval,
    posted.charge_id,
    posted.posted_at,
    posted.charge_id is not null as is_posted
from time_entries
cross join as_of
left join posted
    on posted.time_entry_id = time_entries.time_entry_id
where time_entries.approval_status = 'approved'
    and time_entries.is_billable
