{#- The contracted hourly rate per role, effective-dated: one row per contract rate line
    (contract, role, amendment). A line is in force from its effective date to the day before
    the next amendment of the same role takes effect (effective_to null: still in force, or
    in force from a future date). The rate for (contract, role, date) is the line with
    effective_from <= date <= coalesce(effective_to, date). -#}

with

-- a rate line of a contract the CRM does not have (or left out) is left out (chk_broken_reference)
rates as (
    select * from {{ ref('stg_salesforce__contract_rates') }}
    where {{ is_live() }}
        and {{ references_intact('stg_salesforce__contract_rates', 'contract_rate_id') }}
),

dated as (
    select
        *,
        lead(effective_date) over (
            partition by contract_id, role_name
            order by effective_date, amendment_number
        ) as next_effective_date
    from rates
)

select
    contract_rate_id as rate_card_id,
    contract_id,
    role_name,
    contract_rate_name as name,
    currency_code,
    hourly_rate,
    amendment_number,
    effective_date as effective_from,
    cast({{ dbt.dateadd('day', -1, 'next_effective_date') }} as date) as effective_to,
    updated_at
from dated
