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
