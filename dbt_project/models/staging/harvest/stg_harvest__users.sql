with

source as (

    select * from {{ source('harvest', 'users') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as user_id,

        ---------- strings
        first_name,
        last_name,
        email,
        -- Harvest sends an empty string for a user without a telephone number
        nullif(telephone, '') as telephone,
        timezone,
        -- the firm lists a consultant's job role first in Harvest's free-form roles, then the region
        {{ json_array_element_text('roles', 0) }} as role_name,
        {{ json_array_element_text('roles', 1) }} as region,
        roles as roles_json,
        access_roles as access_roles_json,
        avatar_url,

        ---------- numerics
        weekly_capacity as weekly_capacity_seconds,
        default_hourly_rate,
        cost_rate,

        ---------- booleans
        is_active,
        is_contractor,
        has_access_to_all_future_projects,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
