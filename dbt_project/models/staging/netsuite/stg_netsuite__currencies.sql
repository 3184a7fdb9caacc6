with

source as (

    select * from {{ source('netsuite', 'currency') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as currency_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        symbol as currency_code,
        name as currency_name,

        ---------- numerics
        exchangerate as exchange_rate,

        ---------- booleans
        isbasecurrency as is_base_currency,
        isinactive as is_inactive,

        ---------- timestamps
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
