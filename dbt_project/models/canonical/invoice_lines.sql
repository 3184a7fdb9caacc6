{#- The lines of customer invoices: one per billed charge (time or expense), with the
    invoice's customer, project, legal entity, date and currency carried on each line so
    revenue can be summed without re-joining.

    Incremental (a large fact): a run reprocesses the lines of invoices that a load newer than
    the newest one here changed (the line or its invoice: `load_id` is the later of the two)
    and of invoices whose customer now has another golden id; lines deleted in NetSuite, or
    whose invoice was deleted, are removed first. A line or invoice with a broken reference (a
    line of an invoice NetSuite does not have, an invoice of a missing customer:
    int_broken_references) is left out, and removed if it was here; it comes back when the
    reference is fixed, as does every landed invoice line this table lacks. -#}

{{ config(
    materialized='incremental',
    unique_key='invoice_line_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where invoice_line_id in (select transaction_line_id from {{ ref('stg_netsuite__transaction_lines') }} where is_deleted) or invoice_id in (select transaction_id from {{ ref('stg_netsuite__transactions') }} where is_deleted) or invoice_line_id in (select source_record_id from {{ ref('int_broken_references') }} where source_model = 'stg_netsuite__transaction_lines') or invoice_id in (select source_record_id from {{ ref('int_broken_references') }} where source_model = 'stg_netsuite__transactions'){% endif %}"
) }}

with

invoices as (
    select * from {{ ref('stg_netsuite__transactions') }}
    where not is_deleted and transaction_type = 'invoice'
        and {{ references_intact('stg_netsuite__transactions', 'transaction_id') }}
),

{% if is_incremental() %}
-- the invoices to reprocess, as one key set (an `in` inside an `or` would make PostgreSQL
-- probe a million-row list once per line)
reprocessed as (
    select transaction_id from {{ ref('stg_netsuite__transaction_lines') }}
    where load_id > (select max(load_id) from {{ this }})
    union
    select transaction_id from invoices
    where load_id > (select max(load_id) from {{ this }})
    union
    select existing.invoice_id
    from {{ this }} as existing
    left join invoices on invoices.transaction_id = existing.invoice_id
    left join {{ ref('customer_xref') }} as current_xref
        on current_xref.record_key = 'netsuite:' || invoices.customer_id
    where existing.golden_customer_id is distinct from current_xref.golden_customer_id
    union
    -- left out before (a broken reference since fixed)
    select landed.transaction_id
    from {{ ref('stg_netsuite__transaction_lines') }} as landed
    inner join invoices on invoices.transaction_id = landed.transaction_id
    where not landed.is_deleted
        and not exists (select 1 from {{ this }} as existing where existing.invoice_line_id = landed.transaction_line_id)
),
{% endif %}

lines as (
    select * from {{ ref('stg_netsuite__transaction_lines') }}
    where not is_deleted
        and {{ references_intact('stg_netsuite__transaction_lines', 'transaction_line_id') }}
    {% if is_incremental() %}
    and transaction_id in (select transaction_id from reprocessed)
    {% endif %}
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
    lines.updated_at,
    greatest(lines.load_id, invoices.load_id) as load_id
from lines
inner join invoices
    on invoices.transaction_id = lines.transaction_id
left join currencies
    on currencies.currency_id = invoices.currency_id
left join xref
    on xref.record_key = 'netsuite:' || invoices.customer_id
