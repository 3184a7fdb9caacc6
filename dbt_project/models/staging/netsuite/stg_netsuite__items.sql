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
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
