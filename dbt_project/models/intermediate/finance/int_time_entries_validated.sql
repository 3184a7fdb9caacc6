{#- Every approved, billable PSA time entry checked against its contract before it is posted
    to the ERP as a billable charge (scenario "approved time -> billable in the ERP"), with the
    charge it would be and, once posted, the charge it is.

    The checks, in order; the first that fails is the entry's validation_failure, with a reason
    a finance person can read:
    - no_erp_project: the PSA project has no ERP project (job) to post to;
    - no_contract: the project has no signed contract to bill it against;
    - unmapped_task: the entry's task maps to no ERP billing item (seeds/billing_items.csv, by
      the item's code, an item the ERP has and has not made inactive);
    - no_contract_rate: the contract has no rate for the task's role on the day the time was
      spent (rate_cards: amendments included, each from its effective date);
    - rate_mismatch: the PSA priced the time at another rate than that contract rate;
    - unknown_legal_entity / wrong_legal_entity: the contract's legal entity is no ERP
      subsidiary, or the ERP project is booked in another one.
    The charge is in the contract's currency and legal entity, at the contract's rate. Harvest
    keeps one currency per client, so a client contracting in two currencies shows the other
    one in the PSA; the contract, not the PSA, decides the charge's currency.

    An entry is posted when a charge's external id names it (harvest-te-<time entry id>-v<n>;
    the lowest charge id if it was posted twice). A posted entry is changed_since_posting when
    the PSA now says something else than its charge (hours, rate, day, project or billing
    item): an edit after posting, to be corrected on the same charge. posting_version is the n
    of that external id: 1 for a first posting, one more for each correction. How long an
    entry has waited is the check's business (chk_unbilled_time), not the validation's: every
    column here stays true until an input changes.

    Incremental (the frequent loop's largest model): a run re-validates only the entries whose
    inputs changed since it validated them -
    - the entry itself (landed by a load newer than the newest here, entry_load_id);
    - a charge naming it, or the charge it was posted as (a load newer than charge_load_id),
      or that charge's deletion;
    - its contract context: the project's golden ids, ERP project, contract, legal entity and
      the task's billing item and contract rates (context_fingerprint, compared with what the
      dimensions say now) -
    and removes entries no longer approved and billable, or with a broken reference
    (int_broken_references; such an entry is validated again once it is fixed). A build from scratch holds the same
    rows (tests/transform/test_incremental.py). -#}

{{ config(
    materialized='incremental',
    unique_key='time_entry_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where time_entry_id in (select time_entry_id from {{ ref('stg_harvest__time_entries') }} where load_id > (select max(entry_load_id) from {{ this }}) and not (approval_status = 'approved' and is_billable and not is_deleted)) or time_entry_id in (select source_record_id from {{ ref('int_broken_references') }} where source_model = 'stg_harvest__time_entries'){% endif %}"
) }}

{#- the reasons of the time-only failures, for billing_validation_reason -#}
{%- set unmapped_task %}'task ' || coalesce(judged.task_name, judged.task_id){% endset %}
{%- set no_contract_rate -%}
    'contract ' || judged.contract_label || ' has no rate for ' || judged.task_name
    || ' on ' || cast(judged.spent_date as {{ dbt.type_string() }})
{%- endset %}
{%- set rate_mismatch -%}
    'rate ' || coalesce({{ format_amount('judged.psa_rate') }}, '(none)') || ' '
    || coalesce(judged.psa_currency_code, '') || ' differs from '
    || case
        when judged.amendment_number = 0 then 'the original contract rate '
        else 'contract amendment ' || cast(judged.amendment_number as {{ dbt.type_string() }}) || ' rate '
    end
    || {{ format_amount('judged.contract_rate') }} || ' ' || judged.contract_rate_currency_code
    || ' effective ' || cast(judged.rate_effective_from as {{ dbt.type_string() }})
    || ' (contract ' || judged.contract_label || ')'
{%- endset %}

-- depends_on: {{ ref('stg_netsuite__charges') }}

with

tasks as (
    select * from {{ ref('stg_harvest__tasks') }}
),

billing_items as (
    select * from {{ ref('int_billing_items') }}
    where psa_object = 'task'
),

rate_cards as (
    select * from {{ ref('rate_cards') }}
),

-- one fingerprint of every rate line of a (contract, role), amendments included
rate_card_fingerprints as (
    select
        contract_id,
        role_name,
        {{ dbt.listagg(
            fingerprint(['rate_card_id', 'hourly_rate', 'currency_code', 'amendment_number', 'effective_from', 'effective_to']),
            "','",
            'order by rate_card_id'
        ) }} as rates_fingerprint
    from rate_cards
    group by contract_id, role_name
),

-- what an entry's validation reads besides the entry, per PSA project ...
project_contexts as (
    select * from {{ ref('int_project_billing_contexts') }}
),

-- ... per task ...
task_contexts as (
    select
        tasks.task_id,
        tasks.task_name,
        billing_items.erp_item_code,
        billing_items.item_id as billing_item_id,
        {{ fingerprint(['tasks.task_name', 'billing_items.erp_item_code', 'billing_items.item_id']) }} as task_fingerprint
    from tasks
    left join billing_items
        on billing_items.psa_name = tasks.task_name
),

-- ... and per (PSA project, task), with the contract's rates for the task's role
contexts as (
    select
        project_contexts.*,
        task_contexts.task_id,
        task_contexts.task_name,
        task_contexts.erp_item_code,
        task_contexts.billing_item_id,
        md5(
            project_contexts.project_fingerprint || task_contexts.task_fingerprint
            || coalesce(rate_card_fingerprints.rates_fingerprint, '~')
        ) as context_fingerprint
    from project_contexts
    cross join task_contexts
    left join rate_card_fingerprints
        on rate_card_fingerprints.contract_id = project_contexts.contract_id
        and rate_card_fingerprints.role_name = task_contexts.task_name
),

{% if is_incremental() %}
watermarks as (
    select
        max(entry_load_id) as entry_load_id,
        coalesce(max(charge_load_id), '') as charge_load_id
    from {{ this }}
),

-- the entries to validate again, as one key set
reprocessed as (
    -- changed in the PSA
    select time_entry_id from {{ ref('stg_harvest__time_entries') }}
    where load_id > (select entry_load_id from watermarks)
    union
    -- named by a charge landed since (a posting, a correction)
    select psa_source_record_id from {{ ref('charges') }}
    where psa_source_object = 'time_entries'
        and load_id > (select charge_load_id from watermarks)
    union
    -- posted as a charge that changed since or was deleted
    select time_entry_id from {{ this }}
    where charge_id in (
        select charge_id from {{ ref('stg_netsuite__charges') }}
        where load_id > (select charge_load_id from watermarks)
            or is_deleted
    )
    union
    -- its contract context changed
    select existing.time_entry_id
    from {{ this }} as existing
    left join contexts
        on contexts.harvest_project_id = existing.harvest_project_id
        and contexts.task_id = existing.task_id
    where existing.context_fingerprint is distinct from contexts.context_fingerprint
    union
    -- left out before (a broken reference since fixed)
    select landed.time_entry_id
    from {{ ref('stg_harvest__time_entries') }} as landed
    where landed.approval_status = 'approved'
        and landed.is_billable
        and not landed.is_deleted
        and not exists (select 1 from {{ this }} as existing where existing.time_entry_id = landed.time_entry_id)
),
{% endif %}

-- an entry with a broken reference (a deleted project, say) is not posted (chk_broken_reference)
entries as (
    select * from {{ ref('stg_harvest__time_entries') }}
    where approval_status = 'approved'
        and is_billable
        and not is_deleted
        and {{ references_intact('stg_harvest__time_entries', 'time_entry_id') }}
    {% if is_incremental() %}
        and time_entry_id in (select time_entry_id from reprocessed)
    {% endif %}
),

-- the charges naming an entry (its charge's details are joined by id at the end: PostgreSQL
-- would otherwise hash the entries, most with no charge, on one null key)
naming_charges as (
    select charge_id, psa_source_record_id from {{ ref('charges') }}
    where psa_source_object = 'time_entries'
    {% if is_incremental() %}
        and psa_source_record_id in (select time_entry_id from reprocessed)
    {% endif %}
),

-- an entry posted twice (by hand, or an old integration) is corrected on its first charge
posted as (
    select
        psa_source_record_id as time_entry_id,
        min(charge_id) as charge_id
    from naming_charges
    group by psa_source_record_id
),

priced as (
    select
        entries.time_entry_id,
        entries.client_id as harvest_client_id,
        entries.project_id as harvest_project_id,
        entries.task_id,
        contexts.task_name,
        entries.user_id,
        entries.spent_date,
        entries.hours,
        entries.billable_rate as psa_rate,
        entries.currency_code as psa_currency_code,
        cast(entries.updated_at as date) as approved_on,
        entries.load_id as entry_load_id,
        contexts.golden_project_id,
        contexts.golden_customer_id,
        contexts.project_name,
        contexts.netsuite_project_id,
        contexts.netsuite_project_number,
        contexts.netsuite_customer_id,
        contexts.netsuite_project_subsidiary_id,
        contexts.netsuite_project_subsidiary_name,
        contexts.contract_id,
        contexts.contract_label,
        contexts.currency_code,
        contexts.contracted_legal_entity_name,
        contexts.legal_entity_id,
        contexts.erp_item_code,
        contexts.billing_item_id,
        contexts.context_fingerprint,
        rate_cards.rate_card_id,
        rate_cards.hourly_rate as contract_rate,
        rate_cards.currency_code as contract_rate_currency_code,
        rate_cards.amendment_number,
        rate_cards.effective_from as rate_effective_from,
        posted.charge_id
    from entries
    left join contexts
        on contexts.harvest_project_id = entries.project_id
        and contexts.task_id = entries.task_id
    left join rate_cards
        on rate_cards.contract_id = contexts.contract_id
        and rate_cards.role_name = contexts.task_name
        and rate_cards.effective_from <= entries.spent_date
        and (rate_cards.effective_to is null or rate_cards.effective_to >= entries.spent_date)
    left join posted
        on posted.time_entry_id = entries.time_entry_id
),

judged as (
    select
        priced.*,
        {{ billing_validation_failure('unmapped_task', [
            ('no_contract_rate', 'contract_rate is null'),
            ('rate_mismatch', 'psa_rate is null or abs(psa_rate - contract_rate) >= 0.005'),
        ]) }} as validation_failure
    from priced
)

select
    judged.time_entry_id,
    judged.harvest_client_id,
    judged.harvest_project_id,
    judged.task_id,
    judged.task_name,
    judged.user_id,
    judged.golden_project_id,
    judged.golden_customer_id,
    judged.netsuite_project_id,
    judged.netsuite_customer_id,
    judged.contract_id,
    judged.legal_entity_id,
    judged.billing_item_id,
    judged.rate_card_id,
    judged.currency_code,
    judged.spent_date,
    judged.hours,
    judged.psa_rate,
    judged.psa_currency_code,
    cast(judged.hours * judged.psa_rate as {{ dbt.type_float() }}) as psa_amount,
    judged.contract_rate,
    cast(judged.hours * judged.contract_rate as {{ dbt.type_float() }}) as amount,
    judged.amendment_number,
    judged.approved_on,
    judged.validation_failure is null as is_valid,
    judged.validation_failure,
    {{ billing_validation_reason('judged', 'unmapped_task', unmapped_task, [
        ('no_contract_rate', no_contract_rate), ('rate_mismatch', rate_mismatch),
    ]) }} as validation_reason,
    charges.charge_id is not null as is_posted,
    charges.charge_id,
    charges.external_id as charge_external_id,
    {{ charge_posting_version('charges.external_id') }} as posting_version,
    charges.quantity as charge_quantity,
    charges.rate as charge_rate,
    charges.charge_date,
    charges.project_id as charge_project_id,
    charges.customer_id as charge_customer_id,
    charges.billing_item_id as charge_billing_item_id,
    charges.legal_entity_id as charge_legal_entity_id,
    charges.currency_code as charge_currency_code,
    charges.invoice_id as charge_invoice_id,
    charges.extracted_at as charge_extracted_at,
    charges.invoice_id is not null as is_invoiced,
    charges.charge_id is not null and (
        round(cast(charges.quantity as numeric), 2) is distinct from round(cast(judged.hours as numeric), 2)
        or round(cast(charges.rate as numeric), 2) is distinct from round(cast(judged.psa_rate as numeric), 2)
        or charges.charge_date is distinct from judged.spent_date
        or charges.project_id is distinct from judged.netsuite_project_id
        or charges.billing_item_id is distinct from judged.billing_item_id
    ) as is_changed_since_posting,
    judged.entry_load_id,
    charges.load_id as charge_load_id,
    judged.context_fingerprint
from judged
left join {{ ref('charges') }} as charges
    on charges.charge_id = judged.charge_id
