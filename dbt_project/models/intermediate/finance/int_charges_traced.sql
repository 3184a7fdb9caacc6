{#- NetSuite billable charges traced back to the PSA record they were posted from. Concord
    (and the firm's integration before it) posts each approved time entry or expense with the
    external id `harvest-te-<time entry id>-v<n>` / `harvest-ex-<expense id>-v<n>`; the
    version suffix changes when a charge is re-posted. Deleted charges are left out.
    A view: a rename of the staged charges plus two parsed columns, which canonical.charges
    materialises (a table here would copy every charge once more on each build). -#}

{{ config(materialized='view') }}

with

charges as (
    select * from {{ ref('stg_netsuite__charges') }}
    where not is_deleted
),

traced as (
    select
        charges.*,
        case
            when charges.external_id like 'harvest-te-%' then 'time_entries'
            when charges.external_id like 'harvest-ex-%' then 'expenses'
        end as psa_source_object,
        case
            when charges.external_id like 'harvest-te-%' or charges.external_id like 'harvest-ex-%'
                then {{ dbt.split_part('charges.external_id', "'-'", 3) }}
        end as psa_source_record_id
    from charges
)

select * from traced
