{#- The severity of each consistency check, from `vars.checks` (default: warn). -#}
{% macro check_severity(column) -%}
    case {{ column }}
    {%- for name, settings in var('checks', {}).items() %}
        when '{{ name }}' then '{{ settings.get("severity", "warn") }}'
    {%- endfor %}
        else 'warn'
    end
{%- endmacro %}

{#- When this dbt invocation started, in UTC, as a timestamp literal both engines read. -#}
{% macro run_started_at_utc() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
