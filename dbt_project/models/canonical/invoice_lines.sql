{#- The lines of customer invoices: one per billed charge (time or expense), with the
    invoice's customer, project, legal entity, date and currency carried on each line so
    revenue can be summed without re-joining. -#}

with

lines as (
    select * from {{ ref('stg_netsuite__transaction_lines') }}
    where not is_deleted
),

invoices as (
    select * from {{ ref('stg_netsuite__transactions') }}
    where not is_deleted and transaction_type = 'invoice'
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
)

select
    lines.transaction_line_id as invoice_line_id,
    lines.transaction_id as invoice_id,
    xref.golden_customer_id,
    invoices.project_id,
    invoices.subsidiary_id as legal_entity_id,
    lines.item_id as billing_item_id,
    lines.charge_id,
    lines.line_sequence_number,
    lines.memo,
    currencies.currency_code,
    lines.quantity,
    lines.rate,
    lines.amount,
    invoices.transaction_date as invoice_date,
    lines.updated_at
from lines
inner join invoices
    on invoices.transaction_id = lines.transaction_id
left join currencies
    on currencies.currency_id = invoices.currency_id
left join xref
    on xref.record_key = 'netsuite:' || invoices.customer_id
