{#- The lineage every staging model carries, from the columns ingestion adds to each landed row:
    whether the record is deleted in its system (and when), when Concord extracted it, the dlt
    load that landed it and the system it came from. -#}
{% macro staging_lineage_columns() -%}
    _concord_is_deleted as is_deleted,
    _concord_deleted_at as deleted_at,
    _concord_extracted_at as extracted_at,
    _dlt_load_id as load_id,
    _concord_source_system as source_system
{%- endmacro %}
