with

source as (

    select * from {{ source('netsuite', 'transactionline') }}

),

renamed as (

    select

        ---------- ids
        -- a line's `id` is its number within its transaction (1, 2, ... on every transaction);
        -- `uniquekey` is unique across lines, so it is the line's id here
        cast(uniquekey as {{ dbt.type_string() }}) as transaction_line_id,
        cast({{ adapter.quote('transaction') }} as {{ dbt.type_string() }}) as transaction_id,
        id as line_id,
        cast(item as {{ dbt.type_string() }}) as item_id,
        cast(charge as {{ dbt.type_string() }}) as charge_id,
        cast(appliedtotransaction as {{ dbt.type_string() }}) as applied_to_transaction_id,

        ---------- strings
        memo,

        ---------- numerics
        linesequencenumber as line_sequence_number,
        quantity,
        rate,
        -- "foreign" amounts are in the transaction's own currency
        foreignamount as amount,

        ---------- timestamps
        linelastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
