with

source as (

    select * from {{ source('harvest', 'expense_categories') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as expense_category_id,

        ---------- strings
        name as expense_category_name,
        unit_name,

        ---------- numerics
        unit_price,

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
