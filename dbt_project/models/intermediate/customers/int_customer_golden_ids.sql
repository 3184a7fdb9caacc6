{#- The golden customer id of each record. A golden id already written back to a system
    (Salesforce Concord_Golden_Id__c, NetSuite custentity_concord_golden_id) is kept; otherwise
    it derives from the cluster's anchor record, so it is the same on every rebuild and does
    not change when newer records join the cluster or attributes change.

    A written-back id belongs to one cluster only. When a steward's `no_match` splits a
    cluster whose records were already stamped, the cluster whose anchor carries the id keeps
    it (else the one with the oldest anchor); the split-off cluster takes the id derived from
    its own anchor, which the write-back then stamps on its records. -#}

with

clustered as (
    select * from {{ ref('int_customer_records_clustered') }}
),

anchors as (
    select cluster_key, record_key as anchor_record_key, stamped_golden_id as anchor_stamped_id, created_at
    from clustered
    where is_anchor
),

stamped_in_cluster as (
    select distinct clustered.cluster_key, clustered.stamped_golden_id
    from clustered
    where clustered.stamped_golden_id is not null
),

claims as (
    select
        stamped_in_cluster.cluster_key,
        stamped_in_cluster.stamped_golden_id,
        row_number() over (
            partition by stamped_in_cluster.stamped_golden_id
            order by
                case when anchors.anchor_stamped_id = stamped_in_cluster.stamped_golden_id then 0 else 1 end,
                anchors.created_at,
                anchors.anchor_record_key
        ) as claim_rank
    from stamped_in_cluster
    inner join anchors on anchors.cluster_key = stamped_in_cluster.cluster_key
),

kept as (
    select cluster_key, min(stamped_golden_id) as stamped_golden_id
    from claims
    where claim_rank = 1
    group by cluster_key
)

select
    clustered.record_key,
    clustered.cluster_key,
    clustered.anchor_record_key,
    clustered.is_anchor,
    coalesce(kept.stamped_golden_id, {{ stable_id('GC-', 'clustered.anchor_record_key') }}) as golden_customer_id
from clustered
left join kept on kept.cluster_key = clustered.cluster_key
