with

source as (

    select * from {{ source('harvest', 'task_assignments') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as task_assignment_id,
        cast(project__id as {{ dbt.type_string() }}) as project_id,
        cast(task__id as {{ dbt.type_string() }}) as task_id,

        ---------- numerics
        hourly_rate,
        budget,

        ---------- booleans
        billable as is_billable,
        is_active,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
