{#- How busy each consultant was: one row per resource x month, from the month of their
    first logged (live) time entry to the month of their last, with capacity (weekly capacity
    x weekdays in the month / 5), hours logged, billable hours logged (any approval status)
    and the two ratios. Months in between with no time logged are kept (0 hours) so idle
    months show; months before or after a consultant's logged span are not reported. -#}

with

time_entries as (
    select * from {{ ref('time_entries') }}
    where not is_deleted
),

resources as (
    select * from {{ ref('resources') }}
),

logged as (
    select
        resource_id,
        cast({{ dbt.date_trunc('month', 'spent_date') }} as date) as month,
        sum(hours) as hours,
        sum(case when is_billable then hours else 0 end) as billable_hours,
        count(*) as time_entry_count
    from time_entries
    where resource_id is not null
    group by 1, 2
),

logged_span as (
    select resource_id, min(month) as first_month, max(month) as last_month
    from logged
    group by resource_id
),

-- every month from the first anyone logged time to the last (1200 months bound the series)
month_numbers as (
    {{ dbt.generate_series(1200) }}
),

months as (
    select cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'firm_span.first_month') }} as date)
        as month
    from month_numbers
    cross join (select min(first_month) as first_month, max(last_month) as last_month from logged_span) as firm_span
    where month_numbers.generated_number - 1 <= {{ dbt.datediff('firm_span.first_month', 'firm_span.last_month', 'month') }}
),

day_numbers as (
    {{ dbt.generate_series(31) }}
),

-- 1900-01-01 was a Monday: days since then modulo 7 is 0 (Monday) ... 6 (Sunday)
month_weekdays as (
    select
        months.month,
        sum(
            case
                when mod({{ dbt.datediff("cast('1900-01-01' as date)", 'days.calendar_day', 'day') }}, 7) < 5 then 1
                else 0
            end
        ) as weekday_count
    from months
    inner join (
        select cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'months.month') }} as date) as calendar_day,
            months.month
        from months
        cross join day_numbers
    ) as days
        on days.month = months.month
        and cast({{ dbt.date_trunc('month', 'days.calendar_day') }} as date) = months.month
    group by months.month
),

resource_months as (
    select
        logged_span.resource_id,
        month_weekdays.month,
        month_weekdays.weekday_count
    from logged_span
    inner join month_weekdays
        on month_weekdays.month between logged_span.first_month and logged_span.last_month
),

measured as (
    select
        resource_months.resource_id,
        resources.role_name,
        resources.region,
        resource_months.month,
        resource_months.weekday_count,
        resources.weekly_capacity_hours * resource_months.weekday_count / 5.0 as capacity_hours,
        coalesce(logged.hours, 0) as hours,
        coalesce(logged.billable_hours, 0) as billable_hours,
        coalesce(logged.time_entry_count, 0) as time_entry_count
    from resource_months
    left join resources
        on resources.resource_id = resource_months.resource_id
    left join logged
        on logged.resource_id = resource_months.resource_id
        and logged.month = resource_months.month
)

select
    resource_id,
    role_name,
    region,
    month,
    weekday_count,
    capacity_hours,
    hours,
    billable_hours,
    time_entry_count,
    case when capacity_hours > 0 then billable_hours / capacity_hours end as utilisation_pct,
    case when capacity_hours > 0 then hours / capacity_hours end as logged_pct
from measured
