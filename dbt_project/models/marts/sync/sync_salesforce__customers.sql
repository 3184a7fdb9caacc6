{#- What Concord writes to Salesforce accounts: one row per (account, field) whose
    authoritative value is distinct from what Salesforce held when last landed. The fields are
    the ownership file's customer fields naming salesforce as a receiver: the ERP's receivables
    (AR balance, invoice status), the other systems' ids and the golden id. Updates only.
    AR balance: the amount remaining on the customer's open ERP invoices, in the account's
    currency (invoices in another currency converted through the ERP's exchange rates to its
    base currency); written only for customers the ERP knows. Invoice status: 'Overdue' when
    an open invoice is past its due date as of delivery_as_of_date(), else 'Open' when any is
    open, else 'Paid'; nothing for a customer never invoiced. (The Salesforce picklist
    Invoice_Status__c restricts no values.) Another system's id is written only when the
    customer has exactly one record there.
    Only golden customers the matching is sure of: a customer with a pair waiting in
    canonical.customer_match_reviews, or linked by a model score below the match probability, may
    yet be merged or split, and a value written into the wrong client is hard to take back.
    An account whose golden customer has a second account (what chk_duplicate_customers
    reports) is never written: which record to keep needs a person. -#}

{%- set held_by_salesforce = {
    'ar_balance': format_amount('accounts.ar_balance'),
    'invoice_status': 'accounts.invoice_status',
    'netsuite_customer_id': 'accounts.netsuite_customer_id',
    'harvest_client_id': 'accounts.harvest_client_id',
    'golden_customer_id': 'accounts.golden_customer_id',
} -%}

with

receiving_fields as (
    select field from {{ ref('stg_governance__ownership_receivers') }}
    where entity = 'customer' and receiver = 'salesforce'
),

golden as (
    select * from {{ ref('customers') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
),

invoices as (
    select * from {{ ref('invoices') }}
),

-- an account with a broken reference (a parent the CRM does not have) is written nothing
-- until it is fixed (chk_broken_reference)
accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
    where {{ references_intact('stg_salesforce__accounts', 'account_id') }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

as_of as (
    select {{ delivery_as_of_date() }} as as_of_date
),

records_per_system as (
    select * from {{ ref('int_customer_write_scopes') }}
),

update_targets as (
    select
        xref.golden_customer_id,
        xref.source_record_id as account_id,
        coalesce(accounts.currency_code, golden.currency_code) as currency_code,
        accounts.extracted_at
    from xref
    inner join records_per_system
        on records_per_system.golden_customer_id = xref.golden_customer_id
        and records_per_system.source_system = 'salesforce'
        and records_per_system.is_writable
    inner join accounts
        on accounts.account_id = xref.source_record_id
    inner join golden
        on golden.golden_customer_id = xref.golden_customer_id
    where xref.source_system = 'salesforce'
),

open_invoices as (
    select
        invoices.golden_customer_id,
        invoices.amount_remaining,
        invoices.due_date,
        currencies.exchange_rate as to_base_rate
    from invoices
    left join currencies
        on currencies.currency_code = invoices.currency_code
    where not invoices.is_paid and invoices.amount_remaining > 0
),

invoiced_customers as (
    select golden_customer_id, count(*) as invoice_count
    from invoices
    group by golden_customer_id
),

-- one row per account of a customer the ERP knows; a balance left null when a rate is missing
receivables as (
    select
        update_targets.account_id,
        case
            when count(open_invoices.golden_customer_id) = count(open_invoices.to_base_rate * account_currency.exchange_rate)
                then coalesce(sum(open_invoices.amount_remaining * open_invoices.to_base_rate / account_currency.exchange_rate), 0)
        end as ar_balance,
        case
            when max(invoiced_customers.invoice_count) is null then null
            when max(case when open_invoices.due_date < as_of.as_of_date then 1 else 0 end) = 1 then 'Overdue'
            when count(open_invoices.golden_customer_id) > 0 then 'Open'
            else 'Paid'
        end as invoice_status
    from update_targets
    cross join as_of
    inner join records_per_system as erp_records
        on erp_records.golden_customer_id = update_targets.golden_customer_id
        and erp_records.source_system = 'netsuite'
    left join currencies as account_currency
        on account_currency.currency_code = update_targets.currency_code
    left join invoiced_customers
        on invoiced_customers.golden_customer_id = update_targets.golden_customer_id
    left join open_invoices
        on open_invoices.golden_customer_id = update_targets.golden_customer_id
    group by update_targets.account_id
),

desired as (
    select account_id, 'ar_balance' as field, {{ format_amount('ar_balance') }} as desired_value
    from receivables
    union all
    select account_id, 'invoice_status', invoice_status
    from receivables
    union all
    select update_targets.account_id, 'golden_customer_id', update_targets.golden_customer_id
    from update_targets
    {%- for system, field in [('netsuite', 'netsuite_customer_id'), ('harvest', 'harvest_client_id')] %}
    union all
    select update_targets.account_id, '{{ field }}', records_per_system.first_record_id
    from update_targets
    inner join records_per_system
        on records_per_system.golden_customer_id = update_targets.golden_customer_id
        and records_per_system.source_system = '{{ system }}'
        and records_per_system.record_count = 1
    {%- endfor %}
),

held as (
    {{ fields_long('accounts', 'account_id', held_by_salesforce, 'current_value') }}
),

updates as (
    {{ sync_update_rows('salesforce', targets='update_targets', target_key='account_id', golden_key='golden_customer_id',
                        desired='desired', held='held', receiving='receiving_fields', desired_key='account_id') }}
)

-- amounts are compared as formatted above (two decimals), ids and statuses as text
select *
from updates
where desired_value is not null
    and desired_value is distinct from current_value
