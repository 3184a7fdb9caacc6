{#
    Every staged row says where it came from: the expected source system, when it was
    extracted, the load that brought it, and whether it is deleted, with a deletion time
    exactly when it is. Returns the rows that break this.
#}
{% test has_complete_lineage(model, source_system) %}

select *
from {{ model }}
where source_system is null
    or source_system <> '{{ source_system }}'
    or extracted_at is null
    or load_id is null
    or is_deleted is null
    or (is_deleted and deleted_at is null)
    or (not is_deleted and deleted_at is not null)

{% endtest %}
