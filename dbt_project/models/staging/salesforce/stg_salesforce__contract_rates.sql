with

source as (

    select * from {{ source('salesforce', 'contract_rate') }}

),

renamed as (

    select

        {{ salesforce_contract_rate_columns() }}

    from source

)

select * from renamed
