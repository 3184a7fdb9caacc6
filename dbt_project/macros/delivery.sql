{#- Helpers for the delivery model (projects, rate cards, time) and its consistency checks. -#}

{#- The data's "now": the latest change any of the delivery systems recorded (time logged in the
    PSA, a deal edited in the CRM), as a timestamp. The systems' own clock, not the loader's:
    `extracted_at` is when Concord fetched a record, which says nothing about how far the
    firm's day has got (a sandbox or a late load would shift every SLA). -#}
{% macro delivery_data_now() -%}
    (
        select max(changed_at) from (
            select max(updated_at) as changed_at from {{ ref('stg_harvest__time_entries') }}
            union all
            select max(updated_at) from {{ ref('stg_salesforce__opportunities') }}
        ) as latest_changes
    )
{%- endmacro %}

{#- The data's "today": the date of delivery_data_now() (UTC). Contract amendments dated later
    have been negotiated but are not in force yet. -#}
{% macro delivery_as_of_date() -%}
    cast({{ delivery_data_now() }} as date)
{%- endmacro %}

{#- A money amount as text with two decimals, the same on every engine ('150.00'). -#}
{% macro format_amount(column) -%}
    cast(cast(round(cast({{ column }} as numeric), 2) as numeric(18, 2)) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Rows not deleted in their source system. -#}
{% macro is_live(alias='') -%}
    coalesce({{ alias ~ '.' if alias }}is_deleted, false) = false
{%- endmacro %}
