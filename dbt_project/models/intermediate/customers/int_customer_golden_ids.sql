{#- The golden customer id of each record. A golden id already written back to a system
    (Salesforce Concord_Golden_Id__c, NetSuite custentity_concord_golden_id) is kept; otherwise
    it derives from the cluster's anchor record, so it is the same on every rebuild and does
    not change when newer records join the cluster or attributes change. -#}

with

clustered as (
    select * from {{ ref('int_customer_records_clustered') }}
),

stamped as (
    select cluster_key, min(stamped_golden_id) as stamped_golden_id
    from clustered
    where stamped_golden_id is not null
    group by cluster_key
)

select
    clustered.record_key,
    clustered.cluster_key,
    clustered.anchor_record_key,
    clustered.is_anchor,
    coalesce(stamped.stamped_golden_id, {{ stable_id('GC-', 'clustered.anchor_record_key') }}) as golden_customer_id
from clustered
left join stamped on stamped.cluster_key = clustered.cluster_key
