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
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
