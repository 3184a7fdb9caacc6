with

source as (

    select * from {{ source('netsuite', 'item') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as item_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        itemid as item_code,
        displayname as item_name,
        itemtype as item_type,

        ---------- booleans
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
