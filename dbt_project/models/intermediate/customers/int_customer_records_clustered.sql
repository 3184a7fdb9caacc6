{#- Each customer record's cluster, as the matching (transform/matching) found it, and the
    cluster's anchor, the record its golden id derives from: the oldest CRM account, else the
    oldest ERP customer, else the oldest PSA client. -#}

with

records as (
    select * from {{ ref('int_customer_records') }}
),

clusters as (
    select * from {{ source('matching', 'customer_clusters') }}
),

ranked as (
    select
        records.*,
        cast(clusters.cluster_key as {{ dbt.type_string() }}) as cluster_key,
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
