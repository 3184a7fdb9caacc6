{#- Recognised revenue by month, legal entity, golden customer, project and currency.
    Recognition rule: billed = recognised - an invoice line is revenue of the month of its
    invoice date, in the invoice's currency (no FX conversion here; amounts of different
    currencies are never added together). -#}

with

lines as (
    select * from {{ ref('invoice_lines') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as revenue_month,
        legal_entity_id,
        golden_customer_id,
        project_id,
        currency_code,
        sum(amount) as revenue_amount,
        count(*) as invoice_line_count,
        count(distinct invoice_id) as invoice_count
    from lines
    group by 1, 2, 3, 4, 5
)

select
    {{ stable_id('REV-', "cast(revenue_month as " ~ dbt.type_string() ~ ")
        || '|' || coalesce(legal_entity_id, '') || '|' || coalesce(golden_customer_id, '')
        || '|' || coalesce(project_id, '') || '|' || coalesce(currency_code, '')") }} as revenue_id,
    monthly.*
from monthly
