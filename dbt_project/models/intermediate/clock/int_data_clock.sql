{#- The data's "now", one row: the latest change any of the delivery systems recorded (time
    logged in the PSA, a deal edited in the CRM) and its date (UTC). The systems' own clock, not
    the loader's: `extracted_at` is when Concord fetched a record, which says nothing about how
    far the firm's day has got (a sandbox or a late load would shift every SLA). One small table
    that every "as of today" reads (macros delivery_data_now() / delivery_as_of_date()), so the
    engines compute it once per build instead of once per use. -#}

with

latest_changes as (
    select max(updated_at) as changed_at from {{ ref('stg_harvest__time_entries') }}
    union all
    select max(updated_at) from {{ ref('stg_salesforce__opportunities') }}
)

select
    max(changed_at) as data_now,
    cast(max(changed_at) as date) as as_of_date
from latest_changes
