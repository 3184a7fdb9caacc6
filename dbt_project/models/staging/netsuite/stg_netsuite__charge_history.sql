-- Every landed version of each billable charge (one row per charge and load): when it was invoiced.
with

source as (

    select * from {{ source('netsuite', 'charge_history') }}

),

renamed as (

    select

        {{ netsuite_charge_columns() }},
        _concord_version as version

    from source

)

select * from renamed
