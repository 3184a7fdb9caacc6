{#
    Custom schema names are used as they are: staging models land in `staging`, not in
    `<target schema>_staging`, so every target (DuckDB file, PostgreSQL database) has the
    same layout and the reverse-ETL and Dagster code can name schemas directly.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
