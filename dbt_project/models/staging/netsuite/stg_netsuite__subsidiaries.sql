with

source as (

    select * from {{ source('netsuite', 'subsidiary') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as subsidiary_id,
        cast(currency as {{ dbt.type_string() }}) as currency_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        name as subsidiary_name,
        legalname as legal_name,
        country,

        ---------- booleans
        isinactive as is_inactive,

        ---------- timestamps
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
