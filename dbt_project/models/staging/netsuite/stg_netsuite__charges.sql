-- Billable charges: approved time and expenses posted to a project, invoiced later.
with

source as (

    select * from {{ source('netsuite', 'charge') }}

),

renamed as (

    select

        {{ netsuite_charge_columns() }}

    from source

)

select * from renamed
