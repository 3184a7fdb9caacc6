with

source as (
    select * from {{ source('governance', 'steward_match_decisions') }}
),

renamed as (
    select
        record_key_a,
        record_key_b,
        decided_by,
        note,
        lower(trim(decision)) as decision,
        decided_at
    from source
)

select * from renamed
