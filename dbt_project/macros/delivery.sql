{#- Helpers for the delivery model (projects, rate cards, time) and its consistency checks. -#}

{#- The data's "now" and "today" (UTC): see intermediate/clock/int_data_clock. -#}
{% macro delivery_data_now() -%}
    (select data_now from {{ ref('int_data_clock') }})
{%- endmacro %}

{% macro delivery_as_of_date() -%}
    (select as_of_date from {{ ref('int_data_clock') }})
{%- endmacro %}

{#- A money amount as text with two decimals, the same on every engine ('150.00'). -#}
{% macro format_amount(column) -%}
    cast(cast(round(cast({{ column }} as numeric), 2) as numeric(18, 2)) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Rows not deleted in their source system. -#}
{% macro is_live(alias='') -%}
    coalesce({{ alias ~ '.' if alias }}is_deleted, false) = false
{%- endmacro %}

{#- The day the PSA data describes, for SLAs counted in days since approval: today, or - when
    the landed PSA data stops earlier (a snapshot, the simulated firm) - the day after its latest
    activity in `relations` (each with an updated_at), so an SLA never counts days nobody could
    work. A scalar subquery. -#}
{% macro psa_as_of_date(relations) -%}
    (
        select
            case
                when day_after_latest_activity < cast({{ run_started_at_utc() }} as date)
                    then day_after_latest_activity
                else cast({{ run_started_at_utc() }} as date)
            end
        from (
            select cast({{ dbt.dateadd('day', 1, 'cast(max(updated_at) as date)') }} as date) as day_after_latest_activity
            from (
                {%- for relation in relations %}
                select updated_at from {{ relation }}
                {% if not loop.last %}union all{% endif %}
                {%- endfor %}
            ) as activity
        ) as data_clock
    )
{%- endmacro %}

{#- A text that changes whenever any of `columns` does (nulls included), the same on every
    engine: the md5 of their values. An incremental model stores it to find the rows whose
    inputs changed since it built them. -#}
{% macro fingerprint(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '~'){% if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
