{#
    The model has exactly the columns of `other` plus `plus` (by name): a change-log model
    keeps the columns of its current-state model. Returns one row per column that differs.
#}
{% test has_columns_of(model, other, plus=[]) %}

{%- set differences = [] -%}
{%- if execute -%}
    {%- set actual = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
    {%- set expected = adapter.get_columns_in_relation(other) | map(attribute='name') | map('lower') | list -%}
    {%- set expected = expected + (plus | map('lower') | list) -%}
    {%- if not actual or expected == (plus | map('lower') | list) -%}
        {%- do differences.append(('no columns found', model ~ ' or ' ~ other)) -%}
    {%- endif -%}
    {%- for name in expected if name not in actual -%}
        {%- do differences.append(('missing', name)) -%}
    {%- endfor -%}
    {%- for name in actual if name not in expected -%}
        {%- do differences.append(('unexpected', name)) -%}
    {%- endfor -%}
{%- endif -%}

{%- for problem, name in differences %}
select '{{ problem }}' as problem, '{{ name }}' as column_name
union all
{%- endfor %}
select null as problem, null as column_name
where 1 = 0

{% endtest %}
