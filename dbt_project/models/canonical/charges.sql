{#- Billable charges: approved PSA time and expenses posted to the ERP, waiting for or
    billed on an invoice. One row per NetSuite charge, with the golden customer it bills,
    the legal entity (subsidiary) it is booked in, and the PSA record it came from. -#}

with

charges as (
    select * from {{ ref('int_charges_traced') }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
)

select
    charges.charge_id,
    xref.golden_customer_id,
    charges.customer_id,
    charges.project_id,
    charges.subsidiary_id as legal_entity_id,
    charges.item_id as billing_item_id,
    charges.invoice_id,
    charges.external_id,
    case when charges.psa_source_record_id is not null then 'harvest' end as psa_source_system,
    charges.psa_source_object,
    charges.psa_source_record_id,
    lower(charges.charge_type) as charge_type,
    charges.charge_stage,
    charges.description,
    currencies.currency_code,
    charges.quantity,
    charges.rate,
    charges.amount,
    charges.invoice_id is not null as is_invoiced,
    charges.charge_date,
    charges.created_at as posted_at,
    charges.updated_at
from charges
left join currencies
    on currencies.currency_id = charges.currency_id
left join xref
    on xref.record_key = 'netsuite:' || charges.customer_id
