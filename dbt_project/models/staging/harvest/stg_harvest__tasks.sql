with

source as (

    select * from {{ source('harvest', 'tasks') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as task_id,

        ---------- strings
        name as task_name,

        ---------- numerics
        default_hourly_rate,

        ---------- booleans
        billable_by_default as is_billable_by_default,
        is_default,
        is_active,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
