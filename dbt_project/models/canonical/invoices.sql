{#- Customer invoices issued in the ERP (NetSuite CustInvc): who is billed, by which legal
    entity, for which project, how much, and whether and when it was paid. `paid_at` is when
    the invoice first appeared as paid in the landed ERP history, or else the latest payment
    applied to it. -#}

with

-- an invoice with a broken reference (a missing customer, say) is left out (chk_broken_reference)
transactions as (
    select * from {{ ref('stg_netsuite__transactions') }}
    where not is_deleted and transaction_type = 'invoice'
        and {{ references_intact('stg_netsuite__transactions', 'transaction_id') }}
),

history as (
    select * from {{ ref('stg_netsuite__transaction_history') }}
    where transaction_type = 'invoice'
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
),

payments as (
    select * from {{ ref('payments') }}
),

first_paid as (
    select transaction_id, min(updated_at) as paid_at
    from history
    where transaction_status = 'Paid In Full'
    group by transaction_id
),

last_payment as (
    select invoice_id, max(paid_at) as paid_at
    from payments
    where invoice_id is not null
    group by invoice_id
)

select
    transactions.transaction_id as invoice_id,
    transactions.transaction_number as invoice_number,
    xref.golden_customer_id,
    transactions.customer_id,
    transactions.project_id,
    transactions.subsidiary_id as legal_entity_id,
    transactions.transaction_status as invoice_status,
    transactions.memo,
    currencies.currency_code,
    transactions.total_amount,
    transactions.amount_remaining,
    transactions.transaction_status = 'Paid In Full' as is_paid,
    transactions.transaction_date as invoice_date,
    transactions.due_date,
    case
        when transactions.transaction_status = 'Paid In Full'
            then coalesce(first_paid.paid_at, last_payment.paid_at)
    end as paid_at,
    transactions.created_at,
    transactions.updated_at
from transactions
left join currencies
    on currencies.currency_id = transactions.currency_id
left join xref
    on xref.record_key = 'netsuite:' || transactions.customer_id
left join first_paid
    on first_paid.transaction_id = transactions.transaction_id
left join last_payment
    on last_payment.invoice_id = transactions.transaction_id
