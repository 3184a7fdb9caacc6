-- Every landed version of each opportunity (one row per opportunity and load): when its stage changed.
with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

renamed as (

    select

        {{ salesforce_opportunity_columns() }},
        _concord_version as version

    from source

)

select * from renamed
