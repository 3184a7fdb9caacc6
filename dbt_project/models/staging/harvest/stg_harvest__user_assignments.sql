with

source as (

    select * from {{ source('harvest', 'user_assignments') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as user_assignment_id,
        cast(project__id as {{ dbt.type_string() }}) as project_id,
        cast(user__id as {{ dbt.type_string() }}) as user_id,

        ---------- numerics
        hourly_rate,
        budget,

        ---------- booleans
        is_project_manager,
        is_active,
        use_default_rates as is_using_default_rates,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
