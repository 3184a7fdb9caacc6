{#- Candidate pairs of customer records that may be the same client, with the strongest
    evidence for each and the decision: `match` (merge), `review` (a steward decides) or
    `no_match`. A steward's `match` merges a pair whatever the algorithm scored; a steward's
    `no_match` on (a, b) splits b off a's customer: b keeps no automatic match at all (another
    record could otherwise still bridge the two), only the matches a steward confirms.
    Deterministic evidence first (ids one system already holds for another, a
    golden id written back, the tax id, the web domain), then names: normalised legal names
    in the same country, scored by Levenshtein similarity. A name pair is never merged when
    the two records carry different tax ids or web domains. Thresholds: `vars.matching` in dbt_project.yml. -#}

{%- set auto_match = var('matching')['auto_match_threshold'] -%}
{%- set review = var('matching')['review_threshold'] -%}

with

records as (
    select * from {{ ref('int_customer_records') }}
),

decisions as (
    select
        case when record_key_a < record_key_b then record_key_a else record_key_b end as key_a,
        case when record_key_a < record_key_b then record_key_b else record_key_a end as key_b,
        max(decision) as decision
    from {{ ref('stg_governance__steward_match_decisions') }}
    group by 1, 2
),

split_off as (
    select distinct record_key_b as record_key
    from {{ ref('stg_governance__steward_match_decisions') }}
    where decision = 'no_match'
),

cross_references as (
    {%- for system, column in [('salesforce', 'salesforce_account_id'), ('netsuite', 'netsuite_customer_id'), ('harvest', 'harvest_client_id')] %}
    select a.record_key as key_1, b.record_key as key_2
    from records as a
    inner join records as b
        on b.source_system = '{{ system }}'
        and a.source_system <> '{{ system }}'
        and a.{{ column }} = b.source_record_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

evidence as (

    select key_1, key_2, 'cross_reference' as match_method, 1.0 as score
    from cross_references

    union all

    select a.record_key, b.record_key, 'golden_id', 1.0
    from records as a
    inner join records as b
        on a.stamped_golden_id = b.stamped_golden_id and a.record_key < b.record_key

    union all

    select a.record_key, b.record_key, 'tax_id', 0.99
    from records as a
    inner join records as b
        on a.tax_id = b.tax_id and a.record_key < b.record_key

    union all

    select a.record_key, b.record_key, 'web_domain', 0.97
    from records as a
    inner join records as b
        on a.web_domain = b.web_domain and a.record_key < b.record_key

    union all

    select a.record_key, b.record_key, 'name', {{ name_similarity('a.normalized_name', 'b.normalized_name') }}
    from records as a
    inner join records as b
        on a.country_code = b.country_code
        and a.name_block = b.name_block
        and a.record_key < b.record_key
        and (a.tax_id is null or b.tax_id is null or a.tax_id = b.tax_id)
        and (a.web_domain is null or b.web_domain is null or a.web_domain = b.web_domain)
    where {{ name_similarity('a.normalized_name', 'b.normalized_name') }} >= {{ review }}

),

ordered as (
    select
        case when key_1 < key_2 then key_1 else key_2 end as key_a,
        case when key_1 < key_2 then key_2 else key_1 end as key_b,
        match_method,
        score
    from evidence
    where key_1 <> key_2
),

ranked as (
    select
        *,
        row_number() over (partition by key_a, key_b order by score desc, match_method) as evidence_rank
    from ordered
),

best as (
    select key_a, key_b, match_method, score
    from ranked
    where evidence_rank = 1
),

all_pairs as (
    select key_a, key_b from best
    union
    select key_a, key_b from decisions
)

select
    all_pairs.key_a as record_key_a,
    all_pairs.key_b as record_key_b,
    case when decisions.decision is not null then 'steward' else best.match_method end as match_method,
    coalesce(best.match_method, 'none') as algorithm_method,
    cast(case when decisions.decision = 'match' then 1.0 else coalesce(best.score, 0) end as {{ dbt.type_float() }})
        as score,
    case
        when decisions.decision = 'match' then 'match'
        when decisions.decision = 'no_match' then 'no_match'
        when all_pairs.key_a in (select record_key from split_off) then 'no_match'
        when all_pairs.key_b in (select record_key from split_off) then 'no_match'
        when best.match_method <> 'name' then 'match'
        when best.score >= {{ auto_match }} then 'match'
        else 'review'
    end as decision,
    decisions.decision is not null as is_steward_decision
from all_pairs
left join best
    on best.key_a = all_pairs.key_a and best.key_b = all_pairs.key_b
left join decisions
    on decisions.key_a = all_pairs.key_a and decisions.key_b = all_pairs.key_b
