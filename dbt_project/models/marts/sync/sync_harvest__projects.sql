{#- What Concord writes to Harvest projects (scenario "deal won -> ready to deliver"):

    - creates: a won deal of a settled golden customer with no Harvest project yet gets one,
      coded with the opportunity number (the link int_projects_linked already reads back, and
      the target's check-before-create key), named as the deal, with the sold budget (hours,
      budget_by project) and one task per sold role at the contract's rate (bill_by Tasks).
      Its parents come first: the ERP customer and the PSA client. One that exists as landed is
      simply used (the client's id is sent as harvest_client_id); one that does not is named
      as the parent to wait for (`requires:netsuite__customers` / `requires:harvest__customers`,
      their create's sync key), and the engine writes the project only once Concord has
      written that parent. A customer with two Harvest clients gets no project here: which
      client to use needs a person.
      A deal whose Harvest project is left out for a broken reference (chk_broken_reference)
      gets none: the project exists.
    - completions: a deal's project lacking a sold role's task assignment is completed by the
      create's write (see completion_targets), whatever made it incomplete.
    - updates: a project sold by a deal with a contract whose budget or rates in Harvest differ
      from the sold hours and the contract's rates (both hold_on_conflict in the ownership file).

    Budget: the deal's sold hours (sum of its line items' quantities), two decimals.
    hourly_rate carries every sold role at once, as one JSON object keyed by role (= Harvest
    task name), rates as text with two decimals, keys in order: {"Analyst": "140.00", ...}.
    One value per project keeps a project's rates one record in the long format, so a create is
    one row set and a conflict on any role holds the project's rates together; the current
    value is built the same way from the project's task assignments (a role Harvest lacks is
    null). The rate of a role is the contract's in force on the data's today, else (a contract
    not started yet) the first it sets, else the deal line's unit price. -#}

{%- set rates_json = "'{' || " ~ dbt.listagg(
    "'\"' || replace(role_name, '\"', '') || '\": ' || coalesce('\"' || RATE || '\"', 'null')",
    "', '", "order by role_name") ~ " || '}'" -%}

with

receiving_fields as (
    select field from {{ ref('stg_governance__ownership_receivers') }}
    where entity = 'project' and receiver = 'harvest'
),

won_opportunities as (
    select * from {{ ref('opportunities') }}
    where is_won
        and opportunity_number is not null
),

projects as (
    select * from {{ ref('projects') }}
),

harvest_projects as (
    select * from {{ ref('stg_harvest__projects') }}
    where {{ is_live() }}
),

task_assignments as (
    select * from {{ ref('stg_harvest__task_assignments') }}
    where {{ is_live() }}
),

tasks as (
    select * from {{ ref('stg_harvest__tasks') }}
),

line_items as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
    where {{ is_live() }}
        and role_name is not null
),

rate_cards as (
    select * from {{ ref('rate_cards') }}
),

records_per_system as (
    select * from {{ ref('int_customer_write_scopes') }}
),

as_of as (
    select {{ delivery_as_of_date() }} as as_of_date
),

settled_customers as (
    select distinct golden_customer_id from records_per_system
    where is_settled
),

-- the deal's contract: its latest, as canonical.projects picks it
contracts as (
    select opportunity_id, contract_id
    from (
        select
            opportunity_id,
            contract_id,
            row_number() over (partition by opportunity_id order by start_date desc, contract_id) as contract_rank
        from {{ ref('contracts') }}
        where opportunity_id is not null
    ) as ranked
    where contract_rank = 1
),

-- per contract and role: the rate in force today, else the first one to take effect
contract_rates as (
    select contract_id, role_name, hourly_rate
    from (
        select
            rate_cards.contract_id,
            rate_cards.role_name,
            rate_cards.hourly_rate,
            row_number() over (
                partition by rate_cards.contract_id, rate_cards.role_name
                order by
                    case when rate_cards.effective_from <= as_of.as_of_date then 0 else 1 end,
                    case when rate_cards.effective_from <= as_of.as_of_date then rate_cards.effective_from end desc nulls last,
                    rate_cards.effective_from,
                    rate_cards.amendment_number desc
            ) as rate_rank
        from rate_cards
        cross join as_of
    ) as ranked
    where rate_rank = 1
),

sold_roles as (
    select
        line_items.opportunity_id,
        line_items.role_name,
        sum(line_items.quantity) as hours,
        coalesce(max(contract_rates.hourly_rate), max(line_items.unit_price)) as hourly_rate
    from line_items
    left join contracts
        on contracts.opportunity_id = line_items.opportunity_id
    left join contract_rates
        on contract_rates.contract_id = contracts.contract_id
        and contract_rates.role_name = line_items.role_name
    group by line_items.opportunity_id, line_items.role_name
),

sold as (
    select
        opportunity_id,
        {{ format_amount('sum(hours)') }} as budget,
        {{ rates_json | replace('RATE', format_amount('hourly_rate')) }} as hourly_rate
    from sold_roles
    group by opportunity_id
),

-- per project of a deal and sold role: the rate Harvest holds (null: the role is not assigned)
held_roles as (
    select
        harvest_projects.project_id,
        sold_roles.role_name,
        task_assignments.hourly_rate as held_rate,
        sold_roles.hourly_rate as sold_rate
    from harvest_projects
    inner join projects
        on projects.harvest_project_id = harvest_projects.project_id
    inner join sold_roles
        on sold_roles.opportunity_id = projects.opportunity_id
    left join tasks
        on tasks.task_name = sold_roles.role_name
    left join task_assignments
        on task_assignments.project_id = harvest_projects.project_id
        and task_assignments.task_id = tasks.task_id
),

-- what Harvest holds for the sold roles of each project, and the same with the roles it lacks
-- filled in at the sold rate (the roles it has keep theirs)
held_rates as (
    select
        project_id,
        {{ rates_json | replace('RATE', format_amount('held_rate')) }} as hourly_rate,
        {{ rates_json | replace('RATE', format_amount('coalesce(held_rate, sold_rate)')) }} as completed_rate,
        max(case when held_rate is null then 1 else 0 end) = 1 as lacks_a_role
    from held_roles
    group by project_id
),

-- the deals already delivered by a Harvest project, and those whose Harvest project is left
-- out of the model for a broken reference (chk_broken_reference): it exists, and a create
-- would be a second one
provisioned as (
    select opportunity_id
    from projects
    where opportunity_id is not null
        and harvest_project_id is not null
    union
    select won_opportunities.opportunity_id
    from won_opportunities
    inner join {{ ref('stg_harvest__projects') }} as left_out
        on left_out.project_code = won_opportunities.opportunity_number
        or left_out.project_id = won_opportunities.harvest_project_id
    where {{ is_live('left_out') }}
        and not {{ references_intact('stg_harvest__projects', 'left_out.project_id') }}
),

create_targets as (
    select
        won_opportunities.opportunity_id,
        won_opportunities.golden_customer_id,
        won_opportunities.opportunity_number,
        won_opportunities.name,
        {{ stable_id('PRJ', "'salesforce:' || won_opportunities.opportunity_id") }} as golden_project_id,
        erp.golden_customer_id is not null as has_erp_customer,
        psa.first_record_id as harvest_client_id
    from won_opportunities
    inner join settled_customers
        on settled_customers.golden_customer_id = won_opportunities.golden_customer_id
    left join provisioned
        on provisioned.opportunity_id = won_opportunities.opportunity_id
    left join records_per_system as erp
        on erp.golden_customer_id = won_opportunities.golden_customer_id
        and erp.source_system = 'netsuite'
    left join records_per_system as psa
        on psa.golden_customer_id = won_opportunities.golden_customer_id
        and psa.source_system = 'harvest'
    where provisioned.opportunity_id is null
        and coalesce(psa.record_count, 1) = 1
),

create_values as (
    select golden_project_id, 'project_name' as field, name as desired_value from create_targets
    union all
    select golden_project_id, 'project_code', opportunity_number from create_targets
    union all
    select golden_project_id, 'harvest_client_id', harvest_client_id from create_targets
    union all
    select golden_project_id, 'requires:harvest__customers', 'golden:' || golden_customer_id
    from create_targets
    where harvest_client_id is null
    union all
    select golden_project_id, 'requires:netsuite__customers', 'golden:' || golden_customer_id
    from create_targets
    where not has_erp_customer
    union all
    select create_targets.golden_project_id, owned.field, owned.desired_value
    from create_targets
    inner join (
        select opportunity_id, 'budget' as field, budget as desired_value from sold
        union all
        select opportunity_id, 'hourly_rate', hourly_rate from sold
    ) as owned
        on owned.opportunity_id = create_targets.opportunity_id
    inner join receiving_fields
        on receiving_fields.field = owned.field
),

update_targets as (
    select
        projects.golden_project_id,
        projects.opportunity_id,
        harvest_projects.project_id,
        {{ format_amount('harvest_projects.budget') }} as budget,
        held_rates.hourly_rate,
        harvest_projects.extracted_at
    from projects
    inner join contracts
        on contracts.opportunity_id = projects.opportunity_id
    inner join harvest_projects
        on harvest_projects.project_id = projects.harvest_project_id
    left join held_rates
        on held_rates.project_id = harvest_projects.project_id
    where not coalesce(held_rates.lacks_a_role, false)  -- completed first (completions)
),

-- a deal's project lacking a sold role (a create stopped between the project and its task
-- assignments, or a project made by hand): completed by the create's own write, whose
-- check-before-create finds the project by its client and code and assigns the missing roles;
-- filling a blank is no conflict, and the roles it has are left as they are
completion_targets as (
    select
        projects.golden_project_id,
        harvest_projects.project_name,
        harvest_projects.project_code,
        harvest_projects.client_id,
        harvest_projects.extracted_at,
        held_rates.completed_rate
    from projects
    inner join harvest_projects
        on harvest_projects.project_id = projects.harvest_project_id
    inner join held_rates
        on held_rates.project_id = harvest_projects.project_id
    where held_rates.lacks_a_role
        and harvest_projects.project_code is not null
        and exists (select 1 from receiving_fields where receiving_fields.field = 'hourly_rate')
),

completion_values as (
    select golden_project_id, project_code, extracted_at, 'project_name' as field, project_name as desired_value
    from completion_targets
    union all
    select golden_project_id, project_code, extracted_at, 'project_code', project_code from completion_targets
    union all
    select golden_project_id, project_code, extracted_at, 'harvest_client_id', client_id from completion_targets
    union all
    select golden_project_id, project_code, extracted_at, 'hourly_rate', completed_rate from completion_targets
),

-- every create's rows: the deals' projects, and the completions (whose landed project is newer
-- than the create Concord wrote, so its fields are sent again)
create_rows as (
    select
        create_values.golden_project_id,
        create_targets.opportunity_number as external_id,
        cast(null as {{ dbt.type_timestamp() }}) as current_as_of,
        create_values.field,
        create_values.desired_value
    from create_values
    inner join create_targets
        on create_targets.golden_project_id = create_values.golden_project_id
    union all
    select golden_project_id, project_code, extracted_at, field, desired_value
    from completion_values
),

creates as (
    select
        'golden:' || golden_project_id as sync_key,
        golden_project_id as golden_id,
        'create' as operation,
        cast(null as {{ dbt.type_string() }}) as target_record_id,
        external_id,
        field,
        nullif(trim(desired_value), '') as desired_value,
        cast(null as {{ dbt.type_string() }}) as current_value,
        current_as_of
    from create_rows
),

updates as (
    select
        'harvest:' || update_targets.project_id as sync_key,
        update_targets.golden_project_id as golden_id,
        'update' as operation,
        update_targets.project_id as target_record_id,
        cast(null as {{ dbt.type_string() }}) as external_id,
        receiving_fields.field,
        case receiving_fields.field when 'budget' then sold.budget else sold.hourly_rate end as desired_value,
        case receiving_fields.field when 'budget' then update_targets.budget else update_targets.hourly_rate end
            as current_value,
        update_targets.extracted_at as current_as_of
    from update_targets
    inner join sold
        on sold.opportunity_id = update_targets.opportunity_id
    cross join receiving_fields
)

select *
from updates
where desired_value is not null
    and desired_value is distinct from current_value

union all

select *
from creates
where desired_value is not null
