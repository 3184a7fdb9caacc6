{#- Margin of each engagement per month: one row per golden project x month x currency with
    the hours delivered, the approved billable time and its value, what delivery cost (time at
    cost rate plus expenses) and what was invoiced - the lines of invoices on the project's ERP
    job, in the month of the invoice date. margin = invoiced - cost. Amounts stay in their
    currency: a project billed in two currencies has two rows a month. -#}

with

delivery as (
    select * from {{ ref('int_project_months_costed') }}
    where golden_project_id is not null
),

projects as (
    select * from {{ ref('projects') }}
),

invoice_lines as (
    select * from {{ ref('invoice_lines') }}
),

invoiced as (
    select
        projects.golden_project_id,
        cast({{ dbt.date_trunc('month', 'invoice_lines.invoice_date') }} as date) as month,
        invoice_lines.currency_code,
        sum(invoice_lines.amount) as invoiced_amount,
        count(distinct invoice_lines.invoice_id) as invoice_count
    from invoice_lines
    inner join projects
        on projects.netsuite_project_id = invoice_lines.project_id
    group by 1, 2, 3
),

cells as (
    select golden_project_id, month, currency_code from delivery
    union
    select golden_project_id, month, currency_code from invoiced
),

measured as (
    select
        cells.golden_project_id,
        cells.month,
        cells.currency_code,
        coalesce(delivery.hours, 0) as hours,
        coalesce(delivery.approved_billable_hours, 0) as billable_hours,
        coalesce(delivery.approved_billable_amount, 0) as billable_amount,
        coalesce(delivery.cost_amount, 0) as cost_amount,
        coalesce(invoiced.invoiced_amount, 0) as invoiced_amount,
        coalesce(invoiced.invoice_count, 0) as invoice_count
    from cells
    left join delivery
        on delivery.golden_project_id = cells.golden_project_id
        and delivery.month = cells.month
        and delivery.currency_code is not distinct from cells.currency_code
    left join invoiced
        on invoiced.golden_project_id = cells.golden_project_id
        and invoiced.month = cells.month
        and invoiced.currency_code is not distinct from cells.currency_code
)

select
    {{ stable_id('PM-', "measured.golden_project_id || '|' || cast(measured.month as " ~ dbt.type_string() ~ ")
        || '|' || coalesce(measured.currency_code, '')") }} as project_margin_id,
    measured.golden_project_id,
    projects.golden_customer_id,
    projects.legal_entity_id,
    coalesce(projects.service_line, 'unassigned') as service_line,
    measured.month,
    measured.currency_code,
    measured.hours,
    measured.billable_hours,
    measured.billable_amount,
    measured.cost_amount,
    measured.invoiced_amount,
    measured.invoice_count,
    measured.invoiced_amount - measured.cost_amount as margin_amount,
    case
        when measured.invoiced_amount <> 0
            then (measured.invoiced_amount - measured.cost_amount) / measured.invoiced_amount
    end as margin_pct
from measured
left join projects
    on projects.golden_project_id = measured.golden_project_id
