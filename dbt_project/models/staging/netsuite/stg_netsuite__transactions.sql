-- Invoices and customer payments (the transaction types Concord reads).
with

source as (

    select * from {{ source('netsuite', 'transaction') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as transaction_id,
        cast(entity as {{ dbt.type_string() }}) as customer_id,
        cast(job as {{ dbt.type_string() }}) as project_id,
        cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
        cast(currency as {{ dbt.type_string() }}) as currency_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        tranid as transaction_number,
        case type
            when 'CustInvc' then 'invoice'
            when 'CustPymt' then 'payment'
            else type
        end as transaction_type,
        status as transaction_status,
        memo,

        ---------- numerics
        -- "foreign" amounts are in the transaction's own currency
        foreigntotal as total_amount,
        foreignamountremaining as amount_remaining,

        ---------- dates
        trandate as transaction_date,
        duedate as due_date,

        ---------- timestamps
        createddate as created_at,
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
