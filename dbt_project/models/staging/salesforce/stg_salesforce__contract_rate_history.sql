-- Every landed version of each contract rate (one row per rate and load): the rate card as it stood over time.
with

source as (

    select * from {{ source('salesforce', 'contract_rate_history') }}

),

renamed as (

    select

        {{ salesforce_contract_rate_columns() }},
        _concord_version as version

    from source

)

select * from renamed
