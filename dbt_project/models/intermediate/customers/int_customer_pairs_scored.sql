{#- Pairs of customer records the matching decided on (transform/matching): the evidence that
    links them (`match_method`: a steward's decision, a cross-reference, a written-back golden
    id, or the model's probability), the decision (`match`, `review` for a steward, `no_match`)
    and, for a steward's decision, who made it and when. -#}

with

pairs as (
    select * from {{ source('matching', 'customer_pairs') }}
)

select
    cast(record_key_a as {{ dbt.type_string() }}) as record_key_a,
    cast(record_key_b as {{ dbt.type_string() }}) as record_key_b,
    cast(match_method as {{ dbt.type_string() }}) as match_method,
    cast(decision as {{ dbt.type_string() }}) as decision,
    cast(evidence as {{ dbt.type_string() }}) as evidence,
    cast(decided_by as {{ dbt.type_string() }}) as decided_by,
    cast(match_probability as {{ dbt.type_float() }}) as match_probability,
    cast(match_weight as {{ dbt.type_float() }}) as match_weight,
    cast(
        case when match_method in ('cross_reference', 'golden_id', 'steward') then 1.0 else match_probability end
        as {{ dbt.type_float() }}
    ) as score,
    cast(is_steward_decision as {{ dbt.type_boolean() }}) as is_steward_decision,
    cast(decided_at as {{ dbt.type_timestamp() }}) as decided_at
from pairs
