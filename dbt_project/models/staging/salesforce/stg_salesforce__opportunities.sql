with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

),

renamed as (

    select

        {{ salesforce_opportunity_columns() }}

    from source

)

select * from renamed
