{#- The values of a relation's records in the sync models' long format: one row per record and
    field, with the record's key, the field's name (`field`) and its value. Arguments:
    - relation: the relation (or CTE) holding one record per row;
    - key: its key column, kept as is;
    - fields: the fields, a list of columns (each field its own column) or a mapping of each
      field to an expression over the relation's columns;
    - value_column: the value's column name (desired_value, current_value). -#}
{% macro fields_long(relation, key, fields, value_column) -%}
    {%- for field in fields %}
    select {{ key }}, '{{ field }}' as field, {{ fields[field] if fields is mapping else field }} as {{ value_column }}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
