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
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
