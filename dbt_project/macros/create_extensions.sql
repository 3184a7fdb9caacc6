{#
    The database extensions the models need, created before every run (`on-run-start`).
    PostgreSQL: fuzzystrmatch, for levenshtein() in name matching. DuckDB has levenshtein()
    built in, so other adapters need nothing.
#}
{% macro create_extensions() -%}
    {{ return(adapter.dispatch('create_extensions', 'concord')()) }}
{%- endmacro %}

{% macro default__create_extensions() -%}
{%- endmacro %}

{% macro postgres__create_extensions() -%}
    create extension if not exists fuzzystrmatch
{%- endmacro %}
