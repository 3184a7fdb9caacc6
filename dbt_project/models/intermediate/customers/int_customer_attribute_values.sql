{#- Every customer attribute each source record holds, one row per (record, field), in the
    canonical vocabulary (ISO country codes, currency codes, term names), ranked by the
    ownership file: priority 1 is the field's authority, then its fallbacks; systems the file
    does not list for a field are not sources of it. -#}

{%- set fields_by_system = {
    'salesforce': {
        'legal_name': 'account_name',
        'billing_street': 'billing_street',
        'billing_city': 'billing_city',
        'billing_postal_code': 'billing_postal_code',
        'billing_country': 'country_code',
        'currency_code': 'currency_code',
        'payment_terms': 'payment_terms',
        'tax_id': 'tax_id',
        'web_domain': 'web_domain',
        'region': 'region',
    },
    'netsuite': {
        'legal_name': 'company_name',
        'billing_street': 'billing_street',
        'billing_city': 'billing_city',
        'billing_postal_code': 'billing_postal_code',
        'billing_country': 'country_code',
        'currency_code': 'currency_code',
        'payment_terms': 'terms_name',
        'tax_id': 'tax_id',
        'web_domain': 'web_domain',
    },
    'harvest': {
        'legal_name': 'client_name',
        'billing_country': 'country_code',
        'currency_code': 'currency_code',
    },
} -%}

with

records as (
    select * from {{ ref('int_customer_records') }}
),

golden as (
    select * from {{ ref('int_customer_golden_ids') }}
),

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

customers as (
    select * from {{ ref('stg_netsuite__customers') }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

terms as (
    select * from {{ ref('stg_netsuite__terms') }}
),

clients as (
    select * from {{ ref('stg_harvest__clients') }}
),

ownership as (
    select * from {{ ref('ownership') }}
    where entity = 'customer'
),

receivers as (
    select * from {{ ref('stg_governance__ownership_receivers') }}
    where entity = 'customer'
),

salesforce as (
    select
        accounts.*,
        records.record_key,
        records.country_code,
        records.web_domain
    from accounts
    inner join records
        on records.source_system = 'salesforce' and records.source_record_id = accounts.account_id
),

netsuite as (
    select
        customers.*,
        records.record_key,
        records.country_code,
        records.web_domain,
        currencies.currency_code,
        terms.terms_name
    from customers
    inner join records
        on records.source_system = 'netsuite' and records.source_record_id = customers.customer_id
    left join currencies
        on currencies.currency_id = customers.currency_id
    left join terms
        on terms.terms_id = customers.terms_id
),

harvest as (
    select
        clients.*,
        records.record_key,
        records.country_code
    from clients
    inner join records
        on records.source_system = 'harvest' and records.source_record_id = clients.client_id
),

values_long as (
    {%- for system, fields in fields_by_system.items() %}
    {%- set outer_loop = loop %}
    {%- for field, column in fields.items() %}
    select
        record_key,
        '{{ system }}' as source_system,
        '{{ field }}' as field,
        nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '') as field_value
    from {{ system }}
    {% if not (loop.last and outer_loop.last) %}union all{% endif %}
    {%- endfor %}
    {%- endfor %}
)

select
    golden.golden_customer_id,
    values_long.record_key,
    values_long.source_system,
    records.source_record_id,
    values_long.field,
    values_long.field_value,
    case values_long.source_system
        when ownership.authority then 1
        when ownership.fallback_1 then 2
        when ownership.fallback_2 then 3
    end as source_priority,
    receivers.receiver is not null as is_receiver,
    golden.is_anchor,
    records.created_at as record_created_at
from values_long
inner join golden on golden.record_key = values_long.record_key
inner join records on records.record_key = values_long.record_key
inner join ownership
    on ownership.field = values_long.field
left join receivers
    on receivers.field = values_long.field
    and receivers.receiver = values_long.source_system
