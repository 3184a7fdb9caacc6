{#- What Concord writes to NetSuite customers: one row per (customer, field) whose
    authoritative value is distinct from what NetSuite held when last landed (updates), and
    every field of a customer to create for a golden customer that has won a deal but has no
    NetSuite customer yet (scenario "deal won"). The fields are the ownership file's customer
    fields naming netsuite as a receiver; a create also sets the subsidiary, the legal entity
    of the customer's latest won deal.
    Only golden customers the matching is sure of: a customer with a pair waiting in
    canonical.customer_match_reviews, or linked by a model score below the match probability, may
    yet be merged or split, and a value written into the wrong client is hard to take back.
    A NetSuite customer whose golden customer has a second NetSuite customer (what
    chk_duplicate_customers reports) is never written: which record to keep needs a person.
    A customer with a broken reference (chk_broken_reference) is not updated.
    Values are text in the canonical vocabulary; a value that differs only in formatting
    (spacing, letter case of codes, punctuation of tax ids) is not a write. -#}

{%- set golden_attributes = ['legal_name', 'billing_street', 'billing_city', 'billing_postal_code',
                             'billing_country', 'currency_code', 'payment_terms', 'tax_id'] -%}
{%- set held_fields = golden_attributes + ['golden_customer_id', 'salesforce_account_id'] -%}

with

golden as (
    select * from {{ ref('customers') }}
),

-- a customer with a broken reference (a subsidiary or terms NetSuite does not have) is
-- written nothing until it is fixed (chk_broken_reference)
customers as (
    select * from {{ ref('stg_netsuite__customers') }}
    where {{ references_intact('stg_netsuite__customers', 'customer_id') }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
),

terms as (
    select * from {{ ref('stg_netsuite__terms') }}
),

records_per_system as (
    select * from {{ ref('int_customer_write_scopes') }}
),

desired as (
    {{ fields_long('golden', 'golden_customer_id', golden_attributes + ['golden_customer_id'], 'desired_value') }}
    union all
    -- the CRM account's id only when the customer has one account (a duplicate needs a person)
    select golden_customer_id, 'salesforce_account_id', first_record_id
    from records_per_system
    where source_system = 'salesforce' and record_count = 1
),

-- what each NetSuite customer holds, in the canonical vocabulary
netsuite_values as (
    select
        customers.customer_id,
        customers.company_name as legal_name,
        customers.billing_street,
        customers.billing_city,
        customers.billing_postal_code,
        coalesce(countries.country_code, customers.billing_country) as billing_country,
        currencies.currency_code,
        terms.terms_name as payment_terms,
        customers.tax_id,
        customers.golden_customer_id,
        customers.salesforce_account_id
    from customers
    left join currencies on currencies.currency_id = customers.currency_id
    left join terms on terms.terms_id = customers.terms_id
    left join ({{ country_keys(ref('countries')) }}) as countries
        on countries.country_key = lower(trim(customers.billing_country))
),

held as (
    {{ fields_long('netsuite_values', 'customer_id', held_fields, 'current_value') }}
),

-- the subsidiary of a customer to create: the legal entity of its latest won deal
create_targets as (
    select golden_customer_id, legal_entity_id
    from (
        select
            golden_customer_id,
            legal_entity_id,
            row_number() over (
                partition by golden_customer_id
                order by won_at desc, opportunity_id desc
            ) as won_rank
        from ({{ won_deals_without_customer('netsuite', opportunities=ref('opportunities'), write_scopes='records_per_system') }}) as won_deals
    ) as ranked
    where won_rank = 1
),

-- beyond the fields NetSuite receives: the subsidiary
create_extra_values as (
    select golden_customer_id, 'legal_entity_id' as field, legal_entity_id as desired_value
    from create_targets
)

{{ customer_sync_rows('netsuite', records='customers', record_key='customer_id', desired='desired', held='held',
                      create_targets='create_targets', create_extra_values='create_extra_values',
                      xref=ref('customer_xref'), write_scopes='records_per_system') }}
