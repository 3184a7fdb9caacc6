{#
    The database extensions the models need, created before every run (`on-run-start`).
    PostgreSQL: unaccent, to fold accents in names before matching (macros/matching.sql).
    DuckDB has strip_accents() built in, so other adapters need nothing.
#}
{% macro create_extensions() -%}
    {{ return(adapter.dispatch('create_extensions', 'concord')()) }}
{%- endmacro %}

{% macro default__create_extensions() -%}
{%- endmacro %}

{% macro postgres__create_extensions() -%}
    create extension if not exists unaccent
{%- endmacro %}
