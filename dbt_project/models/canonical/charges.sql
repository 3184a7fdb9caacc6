{#- Billable charges: approved PSA time and expenses posted to the ERP, waiting for or
    billed on an invoice. One row per NetSuite charge, with the golden customer it bills,
    the legal entity (subsidiary) it is booked in, and the PSA record it came from.

    Incremental (a large fact): a run reprocesses the charges landed by loads newer than the
    newest one here (dlt load ids grow, and a load's rows become visible together) and those
    whose customer now has another golden id; charges deleted in NetSuite are removed first.
    A charge with a broken reference (an invoice NetSuite does not have, say:
    int_broken_references) is left out, and removed if it was here; it comes back when the
    reference is fixed, as does every landed charge this table lacks. -#}

{{ config(
    materialized='incremental',
    unique_key='charge_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where charge_id in (select charge_id from {{ ref('stg_netsuite__charges') }} where is_deleted) or charge_id in (select source_record_id from {{ ref('int_broken_references') }} where source_model = 'stg_netsuite__charges'){% endif %}"
) }}

-- depends_on: {{ ref('stg_netsuite__charges') }}

with

{% if is_incremental() %}
-- what to reprocess, as one key set (an `in` inside an `or` would make PostgreSQL probe a
-- million-row list once per charge)
reprocessed as (
    select charge_id from {{ ref('int_charges_traced') }}
    where load_id > (select max(load_id) from {{ this }})
    union
    select existing.charge_id
    from {{ this }} as existing
    left join {{ ref('customer_xref') }} as current_xref
        on current_xref.record_key = 'netsuite:' || existing.customer_id
    where existing.golden_customer_id is distinct from current_xref.golden_customer_id
    union
    -- left out before (a broken reference since fixed)
    select landed.charge_id
    from {{ ref('int_charges_traced') }} as landed
    where not exists (select 1 from {{ this }} as existing where existing.charge_id = landed.charge_id)
),
{% endif %}

charges as (
    select * from {{ ref('int_charges_traced') }}
    where {{ references_intact('stg_netsuite__charges', 'charge_id') }}
    {% if is_incremental() %}
        and charge_id in (select charge_id from reprocessed)
    {% endif %}
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
    charges.updated_at,
    charges.extracted_at,
    charges.load_id
from charges
left join currencies
    on currencies.currency_id = charges.currency_id
left join xref
    on xref.record_key = 'netsuite:' || charges.customer_id
