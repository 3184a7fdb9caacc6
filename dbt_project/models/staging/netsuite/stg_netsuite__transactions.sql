-- Invoices and customer payments (the transaction types Concord reads).
with

source as (

    select * from {{ source('netsuite', 'transaction') }}

),

renamed as (

    select

        {{ netsuite_transaction_columns() }}

    from source

)

select * from renamed
