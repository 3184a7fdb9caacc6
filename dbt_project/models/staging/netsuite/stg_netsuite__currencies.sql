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
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
