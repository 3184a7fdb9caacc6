{#- Where the write-back may write a golden customer's values: one row per golden customer and
    system holding records of it, with how many records it holds there (one, or a duplicate
    only a person can resolve) and whether the matching is sure of the customer. A customer
    with a pair waiting in canonical.customer_match_reviews, or linked by a name match below the
    match probability, may yet be merged or split, and a value written into the wrong record is
    hard to take back. Shared by the customer sync models (a table, so PostgreSQL plans their
    joins from statistics). -#}

with

xref as (
    select * from {{ ref('customer_xref') }}
),

reviews as (
    select * from {{ ref('customer_match_reviews') }}
),

unsettled_customers as (
    select golden_customer_id from xref
    where match_method = 'probabilistic' and match_confidence < {{ var('matching')['match_probability'] }}
    union
    select golden_customer_id_a from reviews
    union
    select golden_customer_id_b from reviews
),

records_per_system as (
    select
        golden_customer_id,
        source_system,
        count(*) as record_count,
        min(source_record_id) as first_record_id
    from xref
    group by golden_customer_id, source_system
)

select
    records_per_system.golden_customer_id,
    records_per_system.source_system,
    records_per_system.record_count,
    records_per_system.first_record_id,
    unsettled_customers.golden_customer_id is null as is_settled,
    unsettled_customers.golden_customer_id is null and records_per_system.record_count = 1 as is_writable
from records_per_system
left join unsettled_customers
    on unsettled_customers.golden_customer_id = records_per_system.golden_customer_id
