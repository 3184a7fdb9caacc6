{#- Expenses consultants incurred on projects (the PSA is their authority): project, consultant,
    category, day, amount, whether billable to the client and whether billed. -#}

with

-- an expense with a broken reference (a deleted project, say) is left out (chk_broken_reference)
expenses as (
    select * from {{ ref('stg_harvest__expenses') }}
    where {{ is_live() }}
        and {{ references_intact('stg_harvest__expenses', 'expense_id') }}
),

categories as (
    select * from {{ ref('stg_harvest__expense_categories') }}
),

project_xref as (
    select * from {{ ref('project_xref') }}
    where source_system = 'harvest'
)

select
    expenses.expense_id,
    project_xref.golden_project_id,
    expenses.project_id as harvest_project_id,
    expenses.user_id as resource_id,
    expenses.expense_category_id,
    categories.expense_category_name as category,
    expenses.invoice_id,
    expenses.currency_code,
    expenses.notes,
    expenses.spent_date,
    expenses.units,
    expenses.total_cost,
    coalesce(expenses.is_billable, false) as is_billable,
    coalesce(expenses.is_billed, false) as is_billed,
    expenses.created_at,
    expenses.updated_at
from expenses
left join categories
    on expenses.expense_category_id = categories.expense_category_id
left join project_xref
    on project_xref.source_record_id = expenses.project_id
