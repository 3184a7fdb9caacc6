{#- Invoices whose total differs (by a cent or more) from the sum of their lines, or from
    the sum of the billable charges billed on them. -#}

with

invoices as (
    select * from {{ ref('invoices') }}
),

line_totals as (
    select invoice_id, sum(amount) as amount, count(*) as item_count
    from {{ ref('invoice_lines') }}
    group by invoice_id
),

charge_totals as (
    select invoice_id, sum(amount) as amount, count(*) as item_count
    from {{ ref('charges') }}
    where invoice_id is not null
    group by invoice_id
),

compared as (
    select
        invoices.invoice_id,
        invoices.invoice_number,
        invoices.golden_customer_id,
        invoices.currency_code,
        invoices.total_amount,
        'invoice lines' as basis,
        coalesce(line_totals.amount, 0) as basis_amount,
        coalesce(line_totals.item_count, 0) as basis_count
    from invoices
    left join line_totals
        on line_totals.invoice_id = invoices.invoice_id

    union all

    select
        invoices.invoice_id,
        invoices.invoice_number,
        invoices.golden_customer_id,
        invoices.currency_code,
        invoices.total_amount,
        'billed charges' as basis,
        coalesce(charge_totals.amount, 0) as basis_amount,
        coalesce(charge_totals.item_count, 0) as basis_count
    from invoices
    left join charge_totals
        on charge_totals.invoice_id = invoices.invoice_id
)

select
    'invoice_total_mismatch' as check_name,
    golden_customer_id,
    'netsuite' as source_system,
    invoice_id as source_record_id,
    'netsuite' as reference_system,
    invoice_id as reference_record_id,
    case when basis = 'invoice lines' then 'total_vs_lines' else 'total_vs_charges' end as field,
    cast(cast(total_amount as decimal(18, 2)) as {{ dbt.type_string() }}) as observed_value,
    cast(cast(basis_amount as decimal(18, 2)) as {{ dbt.type_string() }}) as expected_value,
    'invoice ' || coalesce(invoice_number, invoice_id) || ' totals '
        || cast(cast(total_amount as decimal(18, 2)) as {{ dbt.type_string() }}) || ' ' || coalesce(currency_code, '')
        || ' but its ' || cast(basis_count as {{ dbt.type_string() }}) || ' ' || basis || ' sum to '
        || cast(cast(basis_amount as decimal(18, 2)) as {{ dbt.type_string() }}) || ' ' || coalesce(currency_code, '') as reason
from compared
where abs(coalesce(total_amount, 0) - basis_amount) >= 0.005
