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
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
