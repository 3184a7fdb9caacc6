with

source as (

    select * from {{ source('netsuite', 'customer') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as customer_id,
        cast(parent as {{ dbt.type_string() }}) as parent_customer_id,
        cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
        cast(currency as {{ dbt.type_string() }}) as currency_id,
        cast(terms as {{ dbt.type_string() }}) as terms_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,
        cast(custentity_sf_account_id as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(custentity_concord_golden_id as {{ dbt.type_string() }}) as golden_customer_id,

        ---------- strings
        entityid as entity_number,
        companyname as company_name,
        email,
        url as website,
        vatregnumber as tax_id,
        -- the default billing address book line's address (landed with the customer)
        billing_addr1 as billing_street,
        billing_city,
        billing_zip as billing_postal_code,
        billing_country,

        ---------- booleans
        isinactive as is_inactive,

        ---------- timestamps
        datecreated as created_at,
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
