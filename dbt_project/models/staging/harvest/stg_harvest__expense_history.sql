-- Every landed version of each expense (one row per expense and load): when it was approved, billed.
with

source as (

    select * from {{ source('harvest', 'expenses_history') }}

),

renamed as (

    select

        {{ harvest_expense_columns() }},
        _concord_version as version

    from source

)

select * from renamed
