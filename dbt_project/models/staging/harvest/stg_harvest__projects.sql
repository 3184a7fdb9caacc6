with

source as (

    select * from {{ source('harvest', 'projects') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as project_id,
        cast(client__id as {{ dbt.type_string() }}) as client_id,

        ---------- strings
        name as project_name,
        code as project_code,
        -- the client's currency: the one every money column here is in
        client__currency as currency_code,
        bill_by,
        budget_by,
        notes,

        ---------- numerics
        budget,
        cost_budget,
        hourly_rate,
        fee,
        over_budget_notification_percentage,

        ---------- booleans
        is_active,
        is_billable,
        is_fixed_fee,
        budget_is_monthly as is_budget_monthly,
        notify_when_over_budget as is_notified_when_over_budget,
        show_budget_to_all as is_budget_shown_to_all,
        cost_budget_include_expenses as is_expenses_in_cost_budget,

        ---------- dates
        -- Harvest sends dates as 'YYYY-MM-DD' text
        cast(nullif(starts_on, '') as date) as start_date,
        cast(nullif(ends_on, '') as date) as end_date,
        cast(nullif(over_budget_notification_date, '') as date) as over_budget_notification_date,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
