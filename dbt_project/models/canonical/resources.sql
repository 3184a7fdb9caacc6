{#- The firm's consultants (resources) as the PSA knows them: role, region, whether a
    contractor, weekly capacity, and their cost and default bill rates (confidential). -#}

with

users as (
    select * from {{ ref('stg_harvest__users') }}
    where {{ is_live() }}
)

select
    user_id as resource_id,
    'harvest' as source_system,
    first_name,
    last_name,
    email,
    role_name,
    region,
    timezone,
    cast(weekly_capacity_seconds as {{ dbt.type_float() }}) / 3600.0 as weekly_capacity_hours,
    cost_rate,
    default_hourly_rate,
    coalesce(is_active, false) as is_active,
    coalesce(is_contractor, false) as is_contractor,
    created_at,
    updated_at
from users
