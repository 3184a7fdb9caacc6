{#- The firm's commercial chain month by month: one row per month x golden customer x service
    line x legal entity x currency, following a deal from the CRM to the books - open and
    weighted pipeline (by expected close month), deals won (by month won), projects started,
    approved billable time (by month spent), charges posted to the ERP (by charge date),
    invoiced (by invoice date), recognised revenue (canonical.revenue), delivery cost and
    margin (revenue - cost). Each measure counts in the month of its own event and in its own
    currency. Customer and entity come from the record that holds the fact (the deal, the
    golden project for delivery, the ERP record for charges, invoices and revenue); service
    line from the deal or the project it belongs to, 'unassigned' when unknown. Rows whose
    measures are all zero are left out. -#}

{%- set measures = [
    'open_pipeline_amount', 'weighted_pipeline_amount', 'won_amount', 'won_count', 'projects_started',
    'approved_hours', 'approved_amount', 'charged_amount', 'invoiced_amount', 'revenue_amount', 'cost_amount',
] -%}
{%- set count_measures = ['won_count', 'projects_started'] -%}

with

opportunities as (
    select * from {{ ref('opportunities') }}
),

projects as (
    select * from {{ ref('projects') }}
),

delivery as (
    select * from {{ ref('int_project_months_costed') }}
),

charges as (
    select * from {{ ref('charges') }}
),

invoice_lines as (
    select * from {{ ref('invoice_lines') }}
),

revenue as (
    select * from {{ ref('revenue') }}
),

customers as (
    select * from {{ ref('customers') }}
),

-- the chain's facts in one long shape: (month, customer, service line, entity, currency, measure, value)
opportunity_facts as (
    select
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month,
        golden_customer_id,
        service_line,
        legal_entity_id,
        currency_code,
        amount,
        -- CRM probability is a percentage (0-100)
        probability / 100.0 as probability_ratio,
        is_closed,
        is_won,
        cast({{ dbt.date_trunc('month', 'cast(won_at as date)') }} as date) as won_month
    from opportunities
),

delivery_facts as (
    select
        delivery.month,
        projects.golden_customer_id,
        projects.service_line,
        projects.legal_entity_id,
        delivery.currency_code,
        delivery.approved_billable_hours,
        delivery.approved_billable_amount,
        delivery.cost_amount
    from delivery
    left join projects
        on projects.golden_project_id = delivery.golden_project_id
),

facts as (
    select month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'open_pipeline_amount' as measure, coalesce(amount, 0) as measure_value
    from opportunity_facts
    where not is_closed

    union all

    select month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'weighted_pipeline_amount', coalesce(amount, 0) * coalesce(probability_ratio, 0)
    from opportunity_facts
    where not is_closed

    union all

    select won_month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'won_amount', coalesce(amount, 0)
    from opportunity_facts
    where is_won

    union all

    select won_month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'won_count', 1
    from opportunity_facts
    where is_won

    union all

    select
        cast({{ dbt.date_trunc('month', 'starts_on') }} as date), golden_customer_id, service_line,
        legal_entity_id, currency_code,
        'projects_started', 1
    from projects
    where starts_on is not null

    union all

    select month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'approved_hours', approved_billable_hours
    from delivery_facts

    union all

    select month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'approved_amount', approved_billable_amount
    from delivery_facts

    union all

    select month, golden_customer_id, service_line, legal_entity_id, currency_code,
        'cost_amount', cost_amount
    from delivery_facts

    union all

    select
        cast({{ dbt.date_trunc('month', 'charges.charge_date') }} as date), charges.golden_customer_id,
        projects.service_line, charges.legal_entity_id, charges.currency_code,
        'charged_amount', coalesce(charges.amount, 0)
    from charges
    left join projects
        on projects.netsuite_project_id = charges.project_id

    union all

    select
        cast({{ dbt.date_trunc('month', 'invoice_lines.invoice_date') }} as date), invoice_lines.golden_customer_id,
        projects.service_line, invoice_lines.legal_entity_id, invoice_lines.currency_code,
        'invoiced_amount', coalesce(invoice_lines.amount, 0)
    from invoice_lines
    left join projects
        on projects.netsuite_project_id = invoice_lines.project_id

    union all

    select
        revenue.revenue_month, revenue.golden_customer_id,
        projects.service_line, revenue.legal_entity_id, revenue.currency_code,
        'revenue_amount', coalesce(revenue.revenue_amount, 0)
    from revenue
    left join projects
        on projects.netsuite_project_id = revenue.project_id
),

monthly as (
    select
        month,
        golden_customer_id,
        coalesce(service_line, 'unassigned') as service_line,
        legal_entity_id,
        currency_code,
        {%- for measure in measures %}
        {%- if measure in count_measures %}
        cast(sum(case when measure = '{{ measure }}' then measure_value else 0 end) as {{ dbt.type_int() }})
        {%- else %}
        sum(case when measure = '{{ measure }}' then measure_value else 0 end)
        {%- endif %} as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from facts
    group by 1, 2, 3, 4, 5
)

select
    {{ stable_id('PTR-', "cast(monthly.month as " ~ dbt.type_string() ~ ") || '|' || coalesce(monthly.golden_customer_id, '')
        || '|' || monthly.service_line || '|' || coalesce(monthly.legal_entity_id, '')
        || '|' || coalesce(monthly.currency_code, '')") }} as pipeline_to_revenue_id,
    monthly.month,
    monthly.golden_customer_id,
    customers.legal_name as customer_name,
    monthly.service_line,
    monthly.legal_entity_id,
    monthly.currency_code,
    {%- for measure in measures %}
    monthly.{{ measure }},
    {%- endfor %}
    monthly.revenue_amount - monthly.cost_amount as margin_amount
from monthly
left join customers
    on customers.golden_customer_id = monthly.golden_customer_id
where
    {%- for measure in measures %}
    monthly.{{ measure }} <> 0{{ ' or' if not loop.last }}
    {%- endfor %}
