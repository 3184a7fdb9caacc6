{#- Every live vendor record with a broken reference (macros/integrity/vendor_references.sql):
    a Harvest project whose client Harvest does not have, a time entry of a deleted project, a
    NetSuite invoice line of a missing invoice... One row per (record, reference), with whether
    the record it names is missing from the landed data, deleted there, or left out itself for
    a broken reference of its own (`left_out`: a time entry of a project whose client is
    missing). A record here is left out of the canonical model and of the write-back's plans
    (references_intact), unless it is master data (`is_kept`), which stays in the model and
    receives no writes. chk_broken_reference reports each row.

    The records a left-out record's children name are found in rounds: a round adds the
    children of what the round before added (a contract rate of a contract of a deal whose
    account is missing takes two); three rounds reach the deepest chain of the list. -#}

{%- set references = vendor_references() -%}
{%- set rounds = 3 -%}

with

round_0 as (
    {%- for reference in references %}
    {{ broken_reference_row(reference, "case when parent." ~ reference.parent_key ~ " is null then 'missing' else 'deleted' end") }}
    left join {{ ref(reference.parent) }} as parent
        on parent.{{ reference.parent_key }} = child.{{ reference.column }}
    where {{ is_live('child') }}
        and child.{{ reference.column }} is not null
        and (parent.{{ reference.parent_key }} is null or coalesce(parent.is_deleted, false))
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

{%- for round in range(1, rounds) %},

round_{{ round }} as (
    {%- set propagating = [] -%}
    {%- for reference in references
        if references | selectattr('model', 'equalto', reference.parent) | rejectattr('kept') | list -%}
        {%- do propagating.append(reference) -%}
    {%- endfor -%}
    {%- for reference in propagating %}
    {{ broken_reference_row(reference, "'left_out'") }}
    where {{ is_live('child') }}
        and child.{{ reference.column }} in (
            select source_record_id from round_{{ round - 1 }}
            where source_model = '{{ reference.parent }}' and not is_kept
        )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)
{%- endfor %}

select distinct * from (
    {%- for round in range(rounds) %}
    select * from round_{{ round }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
) as found
