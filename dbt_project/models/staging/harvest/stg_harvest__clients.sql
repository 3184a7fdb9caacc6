with

source as (

    select * from {{ source('harvest', 'clients') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as client_id,

        ---------- strings
        name as client_name,
        address,
        currency as currency_code,
        statement_key,

        ---------- booleans
        is_active,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
