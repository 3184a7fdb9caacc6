{#- Every source customer record in every system → its golden customer, with how it was
    matched (the strongest evidence linking it to its cluster) and the confidence. -#}

with

records as (
    select * from {{ ref('int_customer_records_clustered') }}
),

golden as (
    select * from {{ ref('int_customer_golden_ids') }}
),

matches as (
    select record_key_a as record_key, match_method, score
    from {{ ref('int_customer_pairs_scored') }}
    where decision = 'match'
    union all
    select record_key_b, match_method, score
    from {{ ref('int_customer_pairs_scored') }}
    where decision = 'match'
),

best_match as (
    select record_key, match_method, score
    from (
        select
            *,
            row_number() over (
                partition by record_key
                order by case when match_method = 'steward' then 0 else 1 end, score desc, match_method
            ) as match_rank
        from matches
    ) as ranked
    where match_rank = 1
)

select
    golden.golden_customer_id,
    records.source_system,
    records.source_object,
    records.source_record_id,
    records.record_key,
    records.legal_name as source_legal_name,
    case
        when best_match.record_key is null then 'unmatched'
        else best_match.match_method
    end as match_method,
    cast(coalesce(best_match.score, 1.0) as {{ dbt.type_float() }}) as match_confidence,
    records.is_anchor
from records
inner join golden on golden.record_key = records.record_key
left join best_match on best_match.record_key = records.record_key
