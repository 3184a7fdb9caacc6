{#- PSA projects with no deal behind them: a Harvest project that no CRM opportunity sold (no
    opportunity references it, its ERP job names none, its code is no won deal's number) - work
    set up by hand, outside the contract and the pipeline figures. -#}

with

projects as (
    select * from {{ ref('projects') }}
    where harvest_project_id is not null
      and opportunity_id is null
)

select
    'orphan_project' as check_name,
    golden_customer_id,
    'harvest' as source_system,
    harvest_project_id as source_record_id,
    'salesforce' as reference_system,
    cast(null as {{ dbt.type_string() }}) as reference_record_id,
    'opportunity_id' as field,
    cast(null as {{ dbt.type_string() }}) as observed_value,
    cast(null as {{ dbt.type_string() }}) as expected_value,
    'PSA project ' || coalesce(name, '(unnamed)')
        || coalesce(' (code ' || project_code || ')', '')
        || ' has no opportunity in the CRM: no deal, contract or rate card stands behind its work' as reason
from projects
