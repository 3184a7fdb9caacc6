{#- The rows of a charge posting model (sync_netsuite__time_entries, sync_netsuite__expenses), in
    the sync models' columns: for each validated PSA record not posted yet, a create of every
    field; for each posted one the PSA changed since and whose charge is not invoiced, an update
    of the fields whose value the charge does not hold. Keyed 'harvest:<record id>'; the
    external id is <external_id_prefix><record id>-v1 for a create, the next version for an
    update. A create's current_as_of is when the ERP's charges were last landed (a create
    written after it waits for the next load, one still missing after it is written again).
    Arguments:
    - validated: the relation of validated records (int_time_entries_validated or
      int_expenses_validated: is_valid, is_posted, is_changed_since_posting, is_invoiced,
      posting_version, charge_id, charge_extracted_at, golden_customer_id);
    - record_id: its id column (time_entry_id, expense_id);
    - external_id_prefix: what the external id starts with ('harvest-te-', 'harvest-ex-');
    - entity: the ownership file's entity, whose fields netsuite receives are the ones posted;
    - fields: the record's own fields (its quantity and price), each a pair of expressions over
      the validated columns: the value to post and what the posted charge holds. The fields
      every charge has follow: its day, currency, subsidiary, billing item, project and
      customer.
    A record posted as a charge with a broken reference (int_broken_references: a charge of a
    project NetSuite does not have) gets no row: that charge is left out of the canonical
    model, and a create would upsert onto it by its external id. -#}
{% macro charges_to_post(validated, record_id, external_id_prefix, entity, fields) -%}
{%- set charge_fields = {
    'spent_date': ('cast(spent_date as ' ~ dbt.type_string() ~ ')', 'cast(charge_date as ' ~ dbt.type_string() ~ ')'),
    'currency_code': ('currency_code', 'charge_currency_code'),
    'legal_entity_id': ('legal_entity_id', 'charge_legal_entity_id'),
    'billing_item_id': ('billing_item_id', 'charge_billing_item_id'),
    'netsuite_project_id': ('netsuite_project_id', 'charge_project_id'),
    'netsuite_customer_id': ('netsuite_customer_id', 'charge_customer_id'),
} -%}

with

receiving_fields as (
    select field from {{ ref('stg_governance__ownership_receivers') }}
    where entity = '{{ entity }}' and receiver = 'netsuite'
),

charges_landed as (
    select max(extracted_at) as landed_at from {{ ref('stg_netsuite__charges') }}
),

posted_as_broken_charges as (
    select traced.psa_source_record_id
    from {{ ref('int_charges_traced') }} as traced
    inner join {{ ref('int_broken_references') }} as broken
        on broken.source_model = 'stg_netsuite__charges'
        and broken.source_record_id = traced.charge_id
    where traced.psa_source_object = '{{ {'time_entry': 'time_entries', 'expense': 'expenses'}[entity] }}'
),

postable as (
    select * from {{ validated }}
    where is_valid
        and (not is_posted or (is_changed_since_posting and not is_invoiced))
        and not exists (
            select 1 from posted_as_broken_charges
            where posted_as_broken_charges.psa_source_record_id = {{ record_id }}
        )
),

records as (
    select
        'harvest:' || {{ record_id }} as sync_key,
        golden_customer_id as golden_id,
        case when is_posted then 'update' else 'create' end as operation,
        charge_id as target_record_id,
        '{{ external_id_prefix }}' || {{ record_id }} || '-v'
            || cast(case when is_posted then posting_version + 1 else 1 end as {{ dbt.type_string() }})
            as external_id,
        case
            when is_posted then charge_extracted_at
            else (select landed_at from charges_landed)
        end as current_as_of,
        postable.*
    from postable
),

values_long as (
    {%- for field, (desired, held) in (fields.items() | list) + (charge_fields.items() | list) %}
    select
        sync_key,
        '{{ field }}' as field,
        {{ desired }} as desired_value,
        case when operation = 'update' then {{ held }} end as current_value
    from records
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    records.sync_key,
    records.golden_id,
    records.operation,
    records.target_record_id,
    records.external_id,
    values_long.field,
    values_long.desired_value,
    values_long.current_value,
    records.current_as_of
from records
inner join values_long
    on values_long.sync_key = records.sync_key
inner join receiving_fields
    on receiving_fields.field = values_long.field
where values_long.desired_value is not null
    and (records.operation = 'create' or values_long.desired_value is distinct from values_long.current_value)
{%- endmacro %}
