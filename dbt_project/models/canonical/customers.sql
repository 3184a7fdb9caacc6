{#- Golden customer records: one row per real client. Each attribute comes from its
    authority per the ownership file (seeds/ownership.csv), falling back in the configured
    order when the authority has no value; `<field>_source` says which system and record it
    came from. Within one system, the cluster's anchor record wins, then the oldest. -#}

{%- set fields = ['legal_name', 'billing_street', 'billing_city', 'billing_postal_code', 'billing_country',
                  'currency_code', 'payment_terms', 'tax_id', 'web_domain', 'region'] -%}

with

survivors as (
    select * from {{ ref('int_customer_attribute_survivors') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
),

membership as (
    select
        golden_customer_id,
        count(*) as source_record_count,
        sum(case when source_system = 'salesforce' then 1 else 0 end) as salesforce_record_count,
        sum(case when source_system = 'harvest' then 1 else 0 end) as harvest_record_count,
        sum(case when source_system = 'netsuite' then 1 else 0 end) as netsuite_record_count,
        min(case when is_anchor then record_key end) as anchor_record_key
    from xref
    group by golden_customer_id
)

select
    membership.golden_customer_id,
    {%- for field in fields %}
    max(case when survivors.field = '{{ field }}' then survivors.field_value end) as {{ field }},
    {%- endfor %}
    {%- for field in fields %}
    max(case when survivors.field = '{{ field }}' then survivors.source_system || ':' || survivors.source_record_id end)
        as {{ field }}_source,
    {%- endfor %}
    membership.source_record_count,
    membership.salesforce_record_count,
    membership.harvest_record_count,
    membership.netsuite_record_count,
    membership.anchor_record_key
from membership
left join survivors on survivors.golden_customer_id = membership.golden_customer_id
group by
    membership.golden_customer_id,
    membership.source_record_count,
    membership.salesforce_record_count,
    membership.harvest_record_count,
    membership.netsuite_record_count,
    membership.anchor_record_key
