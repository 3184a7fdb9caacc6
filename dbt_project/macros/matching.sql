{#- Name and identifier normalisation for customer matching. Plain SQL that DuckDB and
    PostgreSQL both run (regexp_replace with the 'g' flag, ||, split_part, md5, and
    levenshtein: built into DuckDB, from the fuzzystrmatch extension on PostgreSQL, which
    the project's on-run-start hook creates). -#}

{% macro normalized_company_name(column) -%}
    {%- set suffixes = var('matching')['legal_suffixes'] | join('|') -%}
    trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        ' ' || regexp_replace(regexp_replace(replace(replace(lower(trim({{ column }})), '.', ''), '&', ' and '),
                              '[^a-z0-9]+', ' ', 'g'), ' +', ' ', 'g') || ' ',
        ' ({{ suffixes }}) ', ' ', 'g'),
        ' ({{ suffixes }}) ', ' ', 'g'),
        '^ the ', ' ', 'g'),
        ' +', ' ', 'g'))
{%- endmacro %}

{% macro normalized_web_domain(column) -%}
    nullif(split_part(regexp_replace(lower(trim({{ column }})), '^([a-z]+://)?(www[.])?', ''), '/', 1), '')
{%- endmacro %}

{% macro email_domain(column) -%}
    nullif(lower(trim(split_part({{ column }}, '@', 2))), '')
{%- endmacro %}

{% macro normalized_tax_id(column) -%}
    nullif(regexp_replace(upper({{ column }}), '[^A-Z0-9]', '', 'g'), '')
{%- endmacro %}

{#- The last line of a multi-line address (Harvest keeps the whole address in one field). -#}
{% macro last_address_line(column) -%}
    nullif(trim(regexp_replace({{ column }}, '^[\s\S]*\n', '')), '')
{%- endmacro %}

{#- 1 for identical strings, 0 for nothing in common: 1 - Levenshtein distance / longer length. -#}
{% macro name_similarity(a, b) -%}
    (1.0 - cast(levenshtein({{ a }}, {{ b }}) as {{ dbt.type_float() }})
        / nullif(greatest(length({{ a }}), length({{ b }})), 0))
{%- endmacro %}

{#- A stable surrogate: the same inputs give the same id on every engine and every rebuild. -#}
{% macro stable_id(prefix, expression) -%}
    '{{ prefix }}' || upper(substr(md5({{ expression }}), 1, 12))
{%- endmacro %}

{#- The spellings of countries a record may hold, to read its ISO code from: one row per
    lower-case name or code (country_key) and the country's code (country_code), from
    `countries` (the countries seed, which lists a country's other spellings too). -#}
{% macro country_keys(countries) -%}
    select lower(country_name) as country_key, country_code from {{ countries }}
    union
    select lower(country_code), country_code from {{ countries }}
{%- endmacro %}
