{#- Harvest staging column lists. Each is shared by a current-table model and its history
    model: the same renaming, to which the history model adds `_concord_version as version`. -#}

{#- Used by stg_harvest__time_entries and by its history model, stg_harvest__time_entry_history. -#}
{% macro harvest_time_entry_columns() -%}
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
    {{ staging_lineage_columns() }}
{%- endmacro %}

{#- Used by stg_harvest__expenses and by its history model, stg_harvest__expense_history. -#}
{% macro harvest_expense_columns() -%}
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
    {{ staging_lineage_columns() }}
{%- endmacro %}
