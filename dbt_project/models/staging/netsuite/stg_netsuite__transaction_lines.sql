with

source as (

    select * from {{ source('netsuite', 'transactionline') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as transaction_line_id,
        cast({{ adapter.quote('transaction') }} as {{ dbt.type_string() }}) as transaction_id,
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
        lastmodifieddate as updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
