-- Every landed version of each expense (one row per expense and load): when it was approved, billed.
with

source as (

    select * from {{ source('harvest', 'expenses_history') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as expense_id,
        cast(user__id as {{ dbt.type_string() }}) as user_id,
        cast(client__id as {{ dbt.type_string() }}) as client_id,
        cast(project__id as {{ dbt.type_string() }}) as project_id,
        cast(expense_category__id as {{ dbt.type_string() }}) as expense_category_id,
        cast(invoice__id as {{ dbt.type_string() }}) as invoice_id,

        ---------- strings
        notes,
        approval_status,
        locked_reason,
        -- the client's currency: the one the cost is in
        client__currency as currency_code,
        invoice__number as invoice_number,
        receipt__url as receipt_url,
        receipt__file_name as receipt_file_name,
        receipt__content_type as receipt_content_type,

        ---------- numerics
        units,
        total_cost,
        receipt__file_size as receipt_file_size,

        ---------- booleans
        billable as is_billable,
        is_locked,
        is_closed,
        is_billed,

        ---------- dates
        -- Harvest sends dates as 'YYYY-MM-DD' text
        cast(nullif(spent_date, '') as date) as spent_date,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system,
        _concord_version as version

    from source

)

select * from renamed
