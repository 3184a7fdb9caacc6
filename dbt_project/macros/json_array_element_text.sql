{#
    The element at `index` (0-based) of a JSON array held as text, as text; null when the
    array is shorter or the value is null. Harvest lands list fields (a user's roles) as
    JSON text, and each engine reads JSON its own way.
#}
{% macro json_array_element_text(column, index) -%}
    {{ return(adapter.dispatch('json_array_element_text', 'concord')(column, index)) }}
{%- endmacro %}

{% macro default__json_array_element_text(column, index) -%}
    {{ exceptions.raise_compiler_error("json_array_element_text has no implementation for " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__json_array_element_text(column, index) -%}
    json_extract_string({{ column }}, '$[{{ index }}]')
{%- endmacro %}

{% macro postgres__json_array_element_text(column, index) -%}
    (cast({{ column }} as jsonb) ->> {{ index }})
{%- endmacro %}
