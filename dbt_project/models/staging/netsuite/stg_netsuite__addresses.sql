with

source as (

    select * from {{ source('netsuite', 'entityaddress') }}

),

renamed as (

    select

        ---------- ids
        cast(nkey as {{ dbt.type_string() }}) as address_id,
        cast(recordowner as {{ dbt.type_string() }}) as customer_id,

        ---------- strings
        nullif(trim(addr1), '') as street,
        nullif(trim(addr2), '') as street_line_2,
        nullif(trim(city), '') as city,
        nullif(trim(state), '') as state,
        nullif(trim(zip), '') as postal_code,
        upper(nullif(trim(country), '')) as country_code,

        ---------- timestamps
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
