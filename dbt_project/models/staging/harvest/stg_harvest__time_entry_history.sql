-- Every landed version of each time entry (one row per entry and load): when it was submitted, approved, billed.
with

source as (

    select * from {{ source('harvest', 'time_entries_history') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as time_entry_id,
        cast(user__id as {{ dbt.type_string() }}) as user_id,
        cast(client__id as {{ dbt.type_string() }}) as client_id,
        cast(project__id as {{ dbt.type_string() }}) as project_id,
        cast(task__id as {{ dbt.type_string() }}) as task_id,
        cast(user_assignment__id as {{ dbt.type_string() }}) as user_assignment_id,
        cast(task_assignment__id as {{ dbt.type_string() }}) as task_assignment_id,
        cast(invoice__id as {{ dbt.type_string() }}) as invoice_id,
        cast(external_reference__id as {{ dbt.type_string() }}) as external_reference_id,

        ---------- strings
        notes,
        approval_status,
        locked_reason,
        -- the client's currency: the one the rates are in
        client__currency as currency_code,
        invoice__number as invoice_number,
        started_time,
        ended_time,
        external_reference__service as external_reference_service,
        external_reference__permalink as external_reference_permalink,

        ---------- numerics
        hours,
        hours_without_timer,
        rounded_hours,
        billable_rate,
        cost_rate,

        ---------- booleans
        billable as is_billable,
        budgeted as is_budgeted,
        is_locked,
        is_closed,
        is_billed,
        is_running,

        ---------- dates
        -- Harvest sends dates as 'YYYY-MM-DD' text
        cast(nullif(spent_date, '') as date) as spent_date,

        ---------- timestamps
        timer_started_at,
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
