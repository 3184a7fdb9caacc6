{#- Deals won but not set up for delivery: a Closed Won opportunity whose client has no ERP
    customer, or that has no PSA project, more than `vars.checks.won_opportunity_not_provisioned
    .sla_days` (default 7) days after it was won. Days are counted from won_at to the data's
    "now" - the latest change recorded by the PSA or the CRM (delivery_data_now()), i.e. the
    systems' own clock, not the loader's. One row per missing record. -#}

{%- set sla_days = var('checks', {}).get('won_opportunity_not_provisioned', {}).get('sla_days', 7) %}

with

won as (
    select * from {{ ref('opportunities') }}
    where is_won
      and won_at is not null
      and won_at < {{ dbt.dateadd('day', -sla_days, delivery_data_now()) }}
),

erp_customers as (
    select distinct golden_customer_id
    from {{ ref('customer_xref') }}
    where source_system = 'netsuite'
),

psa_projects as (
    select distinct opportunity_id
    from {{ ref('projects') }}
    where opportunity_id is not null
      and harvest_project_id is not null
),

missing as (
    select
        won.*,
        'netsuite' as reference_system,
        'erp_customer' as field,
        'no ERP customer for the client' as gap
    from won
    left join erp_customers
        on won.golden_customer_id = erp_customers.golden_customer_id
    where erp_customers.golden_customer_id is null

    union all

    select
        won.*,
        'harvest',
        'psa_project',
        'no PSA project'
    from won
    left join psa_projects
        on won.opportunity_id = psa_projects.opportunity_id
    where psa_projects.opportunity_id is null
)

select
    'won_opportunity_not_provisioned' as check_name,
    golden_customer_id,
    'salesforce' as source_system,
    opportunity_id as source_record_id,
    reference_system,
    cast(null as {{ dbt.type_string() }}) as reference_record_id,
    field,
    cast(null as {{ dbt.type_string() }}) as observed_value,
    cast(null as {{ dbt.type_string() }}) as expected_value,
    'opportunity ' || coalesce(opportunity_number, opportunity_id) || coalesce(' (' || name || ')', '') || ' was won on '
        || cast(cast(won_at as date) as {{ dbt.type_string() }}) || ' and still has ' || gap
        || ' after the {{ sla_days }}-day provisioning SLA' as reason
from missing
