{#- The surviving value of each golden customer attribute: from the field's authority per
    the ownership file, else its fallbacks in order; within one system the cluster's anchor
    record wins, then the oldest record. -#}

select
    golden_customer_id,
    field,
    field_value,
    source_system,
    source_record_id
from (
    select
        *,
        row_number() over (
            partition by golden_customer_id, field
            order by source_priority, is_anchor desc, record_created_at, source_record_id
        ) as survivor_rank
    from {{ ref('int_customer_attribute_values') }}
    where field_value is not null and source_priority is not null
) as ranked
where survivor_rank = 1
