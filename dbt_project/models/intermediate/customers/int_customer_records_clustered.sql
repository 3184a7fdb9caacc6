{#- Each customer record's cluster: the records connected to it by `match` pairs (connected
    components, found by walking the pairs; a record with no match is its own cluster), and
    the cluster's anchor, the record its golden id derives from: the oldest CRM account, else
    the oldest ERP customer, else the oldest PSA client. -#}

with recursive

records as (
    select * from {{ ref('int_customer_records') }}
),

edges as (
    select record_key_a as from_key, record_key_b as to_key
    from {{ ref('int_customer_pairs_scored') }}
    where decision = 'match'
    union all
    select record_key_b, record_key_a
    from {{ ref('int_customer_pairs_scored') }}
    where decision = 'match'
),

reachable (record_key, reached_key) as (
    select record_key, record_key from records
    union
    select reachable.record_key, edges.to_key
    from reachable
    inner join edges on edges.from_key = reachable.reached_key
),

clusters as (
    select record_key, min(reached_key) as cluster_key
    from reachable
    group by record_key
),

ranked as (
    select
        records.*,
        clusters.cluster_key,
        row_number() over (
            partition by clusters.cluster_key
            order by
                case records.source_system when 'salesforce' then 1 when 'netsuite' then 2 else 3 end,
                records.created_at,
                records.source_record_id
        ) as anchor_rank
    from records
    inner join clusters on clusters.record_key = records.record_key
)

select
    ranked.*,
    anchor_rank = 1 as is_anchor,
    max(case when anchor_rank = 1 then record_key end) over (partition by cluster_key) as anchor_record_key
from ranked
