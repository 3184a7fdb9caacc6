{#- What delivering each golden project cost and earned per month, in each currency: one row
    per golden project x month x currency with the hours logged (live PSA time), the approved
    billable time and its value, and the cost - hours x the consultant's cost rate plus the
    expenses incurred. Time counts in the month it was spent, expenses in the month they were
    incurred. Shared by the reporting marts (project_margin, pipeline_to_revenue) so both
    report the same hours and cost. Cost rates are taken to be in the entry's currency (the
    PSA holds one number per consultant; no FX conversion). -#}

with

time_entries as (
    select * from {{ ref('time_entries') }}
    where not is_deleted
),

expenses as (
    select * from {{ ref('expenses') }}
),

time_months as (
    select
        golden_project_id,
        cast({{ dbt.date_trunc('month', 'spent_date') }} as date) as month,
        currency_code,
        sum(hours) as hours,
        sum(case when is_billable then hours else 0 end) as billable_hours,
        sum(case when approval_status = 'approved' and is_billable then hours else 0 end)
            as approved_billable_hours,
        sum(case when approval_status = 'approved' and is_billable then billable_amount else 0 end)
            as approved_billable_amount,
        sum(hours * coalesce(cost_rate, 0)) as time_cost_amount,
        0 as expense_cost_amount,
        count(*) as time_entry_count,
        0 as expense_count
    from time_entries
    group by 1, 2, 3
),

expense_months as (
    select
        golden_project_id,
        cast({{ dbt.date_trunc('month', 'spent_date') }} as date) as month,
        currency_code,
        0 as hours,
        0 as billable_hours,
        0 as approved_billable_hours,
        0 as approved_billable_amount,
        0 as time_cost_amount,
        sum(coalesce(total_cost, 0)) as expense_cost_amount,
        0 as time_entry_count,
        count(*) as expense_count
    from expenses
    group by 1, 2, 3
),

unioned as (
    select * from time_months
    union all
    select * from expense_months
)

select
    golden_project_id,
    month,
    currency_code,
    sum(hours) as hours,
    sum(billable_hours) as billable_hours,
    sum(approved_billable_hours) as approved_billable_hours,
    sum(approved_billable_amount) as approved_billable_amount,
    sum(time_cost_amount) as time_cost_amount,
    sum(expense_cost_amount) as expense_cost_amount,
    sum(time_cost_amount) + sum(expense_cost_amount) as cost_amount,
    sum(time_entry_count) as time_entry_count,
    sum(expense_count) as expense_count
from unioned
group by 1, 2, 3
