{#- Customer payments received in the ERP (NetSuite CustPymt) and the invoices they settle:
    one row per payment application (payment line), so a payment split over several invoices
    shows each part. -#}

with

-- a payment line applied to an invoice the ERP does not have, or of a payment with a broken
-- reference, is left out (chk_broken_reference)
lines as (
    select * from {{ ref('stg_netsuite__transaction_lines') }}
    where not is_deleted
        and {{ references_intact('stg_netsuite__transaction_lines', 'transaction_line_id') }}
),

payments as (
    select * from {{ ref('stg_netsuite__transactions') }}
    where not is_deleted and transaction_type = 'payment'
        and {{ references_intact('stg_netsuite__transactions', 'transaction_id') }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
)

select
    lines.transaction_line_id as payment_application_id,
    payments.transaction_id as payment_id,
    payments.transaction_number as payment_number,
    lines.applied_to_transaction_id as invoice_id,
    xref.golden_customer_id,
    payments.customer_id,
    payments.subsidiary_id as legal_entity_id,
    payments.transaction_status as payment_status,
    currencies.currency_code,
    lines.amount as applied_amount,
    payments.total_amount as payment_total_amount,
    payments.transaction_date as payment_date,
    payments.created_at as paid_at
from lines
inner join payments
    on payments.transaction_id = lines.transaction_id
left join currencies
    on currencies.currency_id = payments.currency_id
left join xref
    on xref.record_key = 'netsuite:' || payments.customer_id
