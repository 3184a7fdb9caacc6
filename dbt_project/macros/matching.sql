{#- Name and identifier normalisation for customer matching. Plain SQL that DuckDB and
    PostgreSQL both run (regexp_replace with the 'g' flag, ||, split_part, md5), except for
    folding accents: DuckDB's strip_accents, PostgreSQL's unaccent extension (created by the
    project's on-run-start hook). The scoring itself is Splink's (transform/matching). -#}

{#- 'Müller Mfg. & Sons, Inc.' → 'muller manufacturing and sons': lower case, accents folded,
    punctuation to spaces, `vars.matching.abbreviations` spelled out, `legal_suffixes` and a
    leading "the" removed. Each word replacement runs twice, since a match consumes the spaces
    around it and two neighbouring words share one. -#}
{% macro normalized_company_name(column) -%}
    {%- set suffixes = var('matching')['legal_suffixes'] | join('|') -%}
    {%- set words = ' ' ~ "' ' || regexp_replace(regexp_replace(replace(replace(lower(" ~ fold_accents('trim(' ~ column ~ ')') ~ "), '.', ''), '&', ' and '), '[^a-z0-9]+', ' ', 'g'), ' +', ' ', 'g') || ' '" -%}
    {%- set expression = namespace(sql=words) -%}
    {%- for short, long in var('matching')['abbreviations'].items() -%}
        {%- for _ in range(2) -%}
            {%- set expression.sql = "regexp_replace(" ~ expression.sql ~ ", ' " ~ short ~ " ', ' " ~ long ~ " ', 'g')" -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for _ in range(2) -%}
        {%- set expression.sql = "regexp_replace(" ~ expression.sql ~ ", ' (" ~ suffixes ~ ") ', ' ', 'g')" -%}
    {%- endfor -%}
    trim(regexp_replace(regexp_replace({{ expression.sql }}, '^ the ', ' ', 'g'), ' +', ' ', 'g'))
{%- endmacro %}

{#- The letters of `column` without their accents: 'Zürich Société' → 'Zurich Societe'. -#}
{% macro fold_accents(column) -%}
    {{ return(adapter.dispatch('fold_accents', 'concord')(column)) }}
{%- endmacro %}

{% macro default__fold_accents(column) -%}
    strip_accents({{ column }})
{%- endmacro %}

{% macro postgres__fold_accents(column) -%}
    unaccent({{ column }})
{%- endmacro %}

{#- A web domain from a URL ('https://www.acme.com/about' → 'acme.com'); an e-mail domain
    from an address. Free-mail domains are left out where these are used. -#}
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
