{#- The firm's legal entities: the companies that contract with clients, invoice them and
    employ the consultants, one per ERP subsidiary (the ERP is their authority). -#}

with

subsidiaries as (
    select * from {{ ref('stg_netsuite__subsidiaries') }}
    where {{ is_live() }}
),

currencies as (
    select * from {{ ref('stg_netsuite__currencies') }}
)

select
    subsidiaries.subsidiary_id as legal_entity_id,
    subsidiaries.subsidiary_name as name,
    subsidiaries.legal_name,
    subsidiaries.country,
    currencies.currency_code,
    coalesce(subsidiaries.is_inactive, false) = false as is_active
from subsidiaries
left join currencies
    on subsidiaries.currency_id = currencies.currency_id
