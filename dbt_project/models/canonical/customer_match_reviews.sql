{#- The steward's queue: pairs the model scores in the uncertain band (at least
    `vars.matching.review_probability`, below `match_probability`) that no steward has decided
    yet and that other evidence has not already put into one customer, with what each
    comparison found. A steward answers in governance.steward_match_decisions. -#}

with

pairs as (
    select * from {{ ref('int_customer_pairs_scored') }}
    where decision = 'review'
),

records as (
    select * from {{ ref('int_customer_records') }}
),

golden as (
    select * from {{ ref('int_customer_golden_ids') }}
)

select
    {{ stable_id('RV-', "pairs.record_key_a || '|' || pairs.record_key_b") }} as review_id,
    pairs.record_key_a,
    pairs.record_key_b,
    a.legal_name as legal_name_a,
    b.legal_name as legal_name_b,
    a.country_code,
    pairs.match_probability,
    pairs.evidence,
    golden_a.golden_customer_id as golden_customer_id_a,
    golden_b.golden_customer_id as golden_customer_id_b
from pairs
inner join records as a on a.record_key = pairs.record_key_a
inner join records as b on b.record_key = pairs.record_key_b
inner join golden as golden_a on golden_a.record_key = pairs.record_key_a
inner join golden as golden_b on golden_b.record_key = pairs.record_key_b
where golden_a.golden_customer_id <> golden_b.golden_customer_id
