{#- PSA task rates that differ from the contract: a Harvest task assignment (a sold role on a
    project) whose hourly rate is not the rate the client's contract sets for that role on the
    data's "today" (amendments included) - typically the PSA missed the latest amendment, so
    time is billed at the old rate. The reference is the contract rate line in force. -#}

with

task_assignments as (
    select * from {{ ref('stg_harvest__task_assignments') }}
    where {{ is_live() }}
      and is_billable
      and hourly_rate is not null
),

tasks as (
    select * from {{ ref('stg_harvest__tasks') }}
),

projects as (
    select * from {{ ref('projects') }}
    where harvest_project_id is not null
      and contract_id is not null
),

rate_cards as (
    select * from {{ ref('rate_cards') }}
),

in_force as (
    select
        task_assignments.task_assignment_id,
        task_assignments.hourly_rate as psa_rate,
        projects.golden_customer_id,
        projects.name as project_name,
        tasks.task_name as role_name,
        rate_cards.rate_card_id,
        rate_cards.hourly_rate as contract_rate,
        rate_cards.currency_code,
        rate_cards.amendment_number,
        rate_cards.effective_from
    from task_assignments
    inner join projects
        on task_assignments.project_id = projects.harvest_project_id
    inner join tasks
        on task_assignments.task_id = tasks.task_id
    inner join rate_cards
        on rate_cards.contract_id = projects.contract_id
        and rate_cards.role_name = tasks.task_name
        and rate_cards.effective_from <= {{ delivery_as_of_date() }}
        and (rate_cards.effective_to is null or rate_cards.effective_to >= {{ delivery_as_of_date() }})
)

select
    'stale_rate' as check_name,
    golden_customer_id,
    'harvest' as source_system,
    task_assignment_id as source_record_id,
    'salesforce' as reference_system,
    rate_card_id as reference_record_id,
    'hourly_rate' as field,
    {{ format_amount('psa_rate') }} as observed_value,
    {{ format_amount('contract_rate') }} as expected_value,
    role_name || ' rate ' || {{ format_amount('psa_rate') }} || ' ' || currency_code
        || ' on project ' || coalesce(project_name, '(unnamed)') || ' differs from '
        || case
            when amendment_number = 0 then 'the original contract rate '
            else 'amendment ' || cast(amendment_number as {{ dbt.type_string() }}) || ' rate '
        end
        || {{ format_amount('contract_rate') }} || ' ' || currency_code
        || ' effective ' || cast(effective_from as {{ dbt.type_string() }}) as reason
from in_force
where abs(psa_rate - contract_rate) >= 0.005
