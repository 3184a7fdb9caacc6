with

source as (

    select * from {{ source('netsuite', 'term') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as terms_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        name as terms_name,

        ---------- numerics
        daysuntilnetdue as days_until_net_due,

        ---------- booleans
        isinactive as is_inactive,

        ---------- timestamps
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
