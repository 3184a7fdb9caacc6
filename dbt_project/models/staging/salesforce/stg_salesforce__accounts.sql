with

source as (

    select * from {{ source('salesforce', 'account') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as account_id,
        cast(parent_id as {{ dbt.type_string() }}) as parent_account_id,
        cast(net_suite_customer_id__c as {{ dbt.type_string() }}) as netsuite_customer_id,
        cast(harvest_client_id__c as {{ dbt.type_string() }}) as harvest_client_id,
        cast(concord_golden_id__c as {{ dbt.type_string() }}) as golden_customer_id,

        ---------- strings
        name as account_name,
        type as account_type,
        industry,
        website,
        phone,
        billing_street,
        billing_city,
        billing_postal_code,
        billing_country,
        currency_iso_code as currency_code,
        tax_id__c as tax_id,
        payment_terms__c as payment_terms,
        region__c as region,
        invoice_status__c as invoice_status,

        ---------- numerics
        ar_balance__c as ar_balance,

        ---------- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at,
        system_modstamp as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
