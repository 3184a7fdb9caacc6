-- Every landed version of each invoice and payment (one row per transaction and load): when it was paid.
with

source as (

    select * from {{ source('netsuite', 'transaction_history') }}

),

renamed as (

    select

        {{ netsuite_transaction_columns() }},
        _concord_version as version

    from source

)

select * from renamed
