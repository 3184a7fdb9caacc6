{#- What Concord writes to Harvest clients: one row per (client, field) whose authoritative
    value is distinct from what Harvest held when last landed (updates), and every field of a
    client to create for a golden customer that has won a deal but has no Harvest client yet
    (scenario "deal won", before its project: sync_harvest__projects). The fields are the
    ownership file's customer fields naming harvest as a receiver; a create also sends the
    billing address as Harvest keeps it (one block: street, then city and postal code, then
    the country's name), so the new client matches its golden customer by name in its country.
    A create waits for the ERP customer: when NetSuite holds none yet (as landed), it names the
    NetSuite create as its parent (`requires:netsuite__customers`) and the engine writes it only
    after that create succeeded.
    Harvest keeps a client's address as one free-text field; the country it holds is read from
    the address's last line (as customer matching reads it).
    Only golden customers the matching is sure of: a customer with a pair waiting in
    canonical.customer_match_reviews, or linked by a model score below the match probability, may
    yet be merged or split, and a value written into the wrong client is hard to take back.
    A client whose golden customer has a second Harvest client (what chk_duplicate_customers
    reports) is never written: which record to keep needs a person.
    Values are text in the canonical vocabulary; a value that differs only in formatting
    (spacing, letter case of codes) is not a write. -#}

{%- set golden_attributes = ['legal_name', 'billing_country', 'currency_code'] -%}

with

golden as (
    select * from {{ ref('customers') }}
),

clients as (
    select * from {{ ref('stg_harvest__clients') }}
),

-- one name per country for an address block (the seed lists a country's other spellings too)
country_names as (
    select country_code, min(country_name) as country_name
    from {{ ref('countries') }}
    group by country_code
),

records_per_system as (
    select * from {{ ref('int_customer_write_scopes') }}
),

desired as (
    {{ fields_long('golden', 'golden_customer_id', golden_attributes, 'desired_value') }}
),

-- what each Harvest client holds, in the canonical vocabulary
harvest_values as (
    select
        clients.client_id,
        clients.client_name as legal_name,
        countries.country_code as billing_country,
        clients.currency_code
    from clients
    left join ({{ country_keys(ref('countries')) }}) as countries
        on countries.country_key = lower({{ last_address_line('clients.address') }})
),

held as (
    {{ fields_long('harvest_values', 'client_id', golden_attributes, 'current_value') }}
),

-- a settled golden customer with a won deal and no Harvest client
create_targets as (
    select distinct golden_customer_id
    from ({{ won_deals_without_customer('harvest', opportunities=ref('opportunities'), write_scopes='records_per_system') }}) as won_deals
),

-- beyond the fields Harvest receives: the billing address block, and the ERP customer first
create_extra_values as (
    select
        create_targets.golden_customer_id,
        'billing_address' as field,
        nullif(trim(
            coalesce(golden.billing_street || chr(10), '')
            || coalesce(trim(coalesce(golden.billing_city, '') || ' ' || coalesce(golden.billing_postal_code, '')) || chr(10), '')
            || coalesce(country_names.country_name, golden.billing_country, '')
        ), '') as desired_value
    from create_targets
    inner join golden
        on golden.golden_customer_id = create_targets.golden_customer_id
    left join country_names
        on country_names.country_code = golden.billing_country
    union all
    -- a customer NetSuite does not hold yet waits for its create
    select create_targets.golden_customer_id, 'requires:netsuite__customers', 'golden:' || create_targets.golden_customer_id
    from create_targets
    left join records_per_system
        on records_per_system.golden_customer_id = create_targets.golden_customer_id
        and records_per_system.source_system = 'netsuite'
    where records_per_system.golden_customer_id is null
)

{{ customer_sync_rows('harvest', records='clients', record_key='client_id', desired='desired', held='held',
                      create_targets='create_targets', create_extra_values='create_extra_values',
                      xref=ref('customer_xref'), write_scopes='records_per_system') }}
