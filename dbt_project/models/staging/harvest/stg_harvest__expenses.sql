with

source as (

    select * from {{ source('harvest', 'expenses') }}

),

renamed as (

    select

        {{ harvest_expense_columns() }}

    from source

)

select * from renamed
