{#- Every live customer record of every system, in one shape for matching: normalised name,
    country, web domain (never a free-mail one), tax id, phone digits, postal code and city, and
    the other systems' ids each record already carries. The PSA keeps a client's address as one
    free-text block: its country is read from the last line, the rest is not compared. -#}

with

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
    where not is_deleted
),

clients as (
    select * from {{ ref('stg_harvest__clients') }}
    where not is_deleted
),

customers as (
    select * from {{ ref('stg_netsuite__customers') }}
    where not is_deleted
),

countries as (
    {{ country_keys(ref('countries')) }}
),

free_mail as (
    select domain from {{ ref('free_mail_domains') }}
),

unioned as (

    select
        'salesforce' as source_system,
        'Account' as source_object,
        account_id as source_record_id,
        account_name as legal_name,
        billing_country as country,
        {{ normalized_web_domain('website') }} as web_domain,
        {{ normalized_tax_id('tax_id') }} as tax_id,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') as phone,
        billing_postal_code as postal_code,
        billing_city as city,
        account_id as salesforce_account_id,
        netsuite_customer_id,
        harvest_client_id,
        nullif(golden_customer_id, '') as stamped_golden_id,
        created_at
    from accounts

    union all

    select
        'harvest',
        'clients',
        client_id,
        client_name,
        {{ last_address_line('address') }},
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        client_id,
        cast(null as {{ dbt.type_string() }}),
        created_at
    from clients

    union all

    select
        'netsuite',
        'customer',
        customer_id,
        company_name,
        billing_country,
        coalesce({{ normalized_web_domain('website') }}, {{ email_domain('email') }}),
        {{ normalized_tax_id('tax_id') }},
        cast(null as {{ dbt.type_string() }}),
        billing_postal_code,
        billing_city,
        nullif(salesforce_account_id, ''),
        customer_id,
        cast(null as {{ dbt.type_string() }}),
        nullif(golden_customer_id, ''),
        created_at
    from customers

),

normalised as (

    select
        unioned.source_system || ':' || unioned.source_record_id as record_key,
        unioned.source_system,
        unioned.source_object,
        unioned.source_record_id,
        unioned.legal_name,
        {{ normalized_company_name('unioned.legal_name') }} as normalized_name,
        countries.country_code,
        case when free_mail.domain is null then unioned.web_domain end as web_domain,
        unioned.tax_id,
        unioned.phone,
        nullif(upper(regexp_replace(unioned.postal_code, '[^A-Za-z0-9]', '', 'g')), '') as postal_code,
        nullif(lower({{ fold_accents('trim(unioned.city)') }}), '') as city,
        unioned.salesforce_account_id,
        unioned.netsuite_customer_id,
        unioned.harvest_client_id,
        unioned.stamped_golden_id,
        unioned.created_at
    from unioned
    left join countries
        on countries.country_key = lower(trim(unioned.country))
    left join free_mail
        on free_mail.domain = unioned.web_domain

)

select * from normalised
