{#- The firm's operating KPIs in one long table: one row per KPI x month x dimension x
    dimension value, with its unit and how many observations it was computed from. Trend KPIs
    have a month (the month of the event that closes the measured interval); snapshot KPIs
    ("as of now") have month null and describe the data's today (delivery_as_of_date(), the
    latest change the systems recorded - never the machine's clock). Dimensions: 'firm'
    ('all'), 'legal_entity' (its id), 'currency' and 'legal_entity_currency' ('<entity>|<code>')
    for money, 'check_name' and 'check_name_region' ('<check>|<region>') for exception rates.
    Money is never added across currencies: amount KPIs have the currency as their unit. -#}

{%- set master_data_checks = [] -%}
{%- for check_name, check in var('checks').items() if check.get('master_data') -%}
    {%- do master_data_checks.append(check_name) -%}
{%- endfor -%}
{%- set kpi_descriptions = {
    'quote_to_project_days': 'Median days from a deal won in the CRM to the creation of its project, by month won.',
    'quote_to_ready_days': 'Median days from a deal won in the CRM to it being ready to deliver (ERP customer, PSA client and PSA project all created: marts.readiness_events), by month won.',
    'time_to_invoice_days': "Median days from the day time was worked (the entry's spent date) to the date of the invoice its ERP charge is billed on, by invoice month.",
    'approved_unposted_hours': 'Hours of approved, billable, live PSA time with no billable charge in the ERP, as of now.',
    'approved_unposted_amount': 'Billable value (hours x billable rate) of approved, billable, live PSA time with no charge in the ERP, as of now.',
    'invoices_blocked_by_master_data': 'Unpaid invoices whose golden customer has an open master-data exception (' ~ master_data_checks | join(', ') ~ '), as of now; observation_count = unpaid invoices.',
    'invoices_blocked_by_master_data_amount': 'Amount remaining on unpaid invoices whose golden customer has an open master-data exception, as of now.',
    'exception_rate': "Share of golden customers with at least one open exception of the check, as of now; open exceptions without a golden customer count as region 'unknown' over all customers.",
} -%}

with

opportunities as (
    select * from {{ ref('opportunities') }}
),

projects as (
    select * from {{ ref('projects') }}
),

time_entries as (
    select * from {{ ref('time_entries') }}
    where not is_deleted
),

charges as (
    select * from {{ ref('charges') }}
),

invoices as (
    select * from {{ ref('invoices') }}
),

customers as (
    select * from {{ ref('customers') }}
),

open_exceptions as (
    select * from {{ ref('exceptions') }}
    where is_open
),

readiness_events as (
    select * from {{ ref('readiness_events') }}
),

as_of as (
    select {{ delivery_as_of_date() }} as as_of_date
),

-- quote to project: each won deal and the first golden project created for it
won_deals_provisioned as (
    select
        opportunities.opportunity_id,
        opportunities.legal_entity_id,
        cast({{ dbt.date_trunc('month', 'cast(opportunities.won_at as date)') }} as date) as month,
        {{ dbt.datediff('cast(opportunities.won_at as date)', 'cast(min(projects.created_at) as date)', 'day') }}
            as days
    from opportunities
    inner join projects
        on projects.opportunity_id = opportunities.opportunity_id
    where opportunities.is_won
        and projects.created_at is not null
    group by opportunities.opportunity_id, opportunities.legal_entity_id, opportunities.won_at
),

-- quote to ready: each won deal and when it became ready to deliver in every system
won_deals_ready as (
    select
        opportunities.opportunity_id,
        opportunities.legal_entity_id,
        cast({{ dbt.date_trunc('month', 'cast(opportunities.won_at as date)') }} as date) as month,
        {{ dbt.datediff('cast(opportunities.won_at as date)', 'cast(readiness_events.ready_at as date)', 'day') }}
            as days
    from opportunities
    inner join readiness_events
        on readiness_events.opportunity_id = opportunities.opportunity_id
    where opportunities.won_at is not null
),

-- time to invoice: each worked entry and the first invoice a charge of it is billed on
invoiced_time as (
    select
        time_entries.time_entry_id,
        time_entries.spent_date,
        invoices.invoice_date,
        invoices.legal_entity_id,
        row_number() over (
            partition by time_entries.time_entry_id
            order by invoices.invoice_date, invoices.invoice_id
        ) as invoice_rank
    from time_entries
    inner join charges
        on charges.psa_source_object = 'time_entries'
        and charges.psa_source_record_id = time_entries.time_entry_id
    inner join invoices
        on invoices.invoice_id = charges.invoice_id
),

time_to_invoice as (
    select
        time_entry_id,
        legal_entity_id,
        cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as month,
        {{ dbt.datediff('spent_date', 'invoice_date', 'day') }} as days
    from invoiced_time
    where invoice_rank = 1
),

-- the median-days KPIs: each measured interval in days, dated by the month of the event that closes it
day_intervals as (
    select 'quote_to_project_days' as kpi, month, legal_entity_id, days from won_deals_provisioned
    union all
    select 'quote_to_ready_days', month, legal_entity_id, days from won_deals_ready
    union all
    select 'time_to_invoice_days', month, legal_entity_id, days from time_to_invoice
),

-- approved billable live time that no ERP charge was posted from, approved by now
approved_unposted as (
    select
        time_entries.time_entry_id,
        projects.legal_entity_id,
        time_entries.currency_code,
        time_entries.hours,
        time_entries.billable_amount
    from time_entries
    cross join as_of
    left join projects
        on projects.golden_project_id = time_entries.golden_project_id
    where time_entries.approval_status = 'approved'
        and time_entries.is_billable
        and cast(time_entries.approved_at as date) <= as_of.as_of_date
        and not exists (
            select 1
            from charges
            where charges.psa_source_object = 'time_entries'
                and charges.psa_source_record_id = time_entries.time_entry_id
        )
),

master_data_blocked_customers as (
    select distinct golden_customer_id
    from open_exceptions
    where golden_customer_id is not null
        and check_name in ('{{ master_data_checks | join("', '") }}')
),

unpaid_invoices as (
    select
        invoices.invoice_id,
        invoices.legal_entity_id,
        invoices.currency_code,
        invoices.amount_remaining,
        master_data_blocked_customers.golden_customer_id is not null as is_blocked
    from invoices
    cross join as_of
    left join master_data_blocked_customers
        on master_data_blocked_customers.golden_customer_id = invoices.golden_customer_id
    where not invoices.is_paid
        and invoices.invoice_date <= as_of.as_of_date
),

-- exception rate: golden customers by region; an exception without one is its own 'unknown' record
customer_regions as (
    select golden_customer_id, coalesce(region, 'unknown') as region
    from customers
),

checks as (
    {%- for check_name in var('checks', {}).keys() %}
    select '{{ check_name }}' as check_name
    union
    {%- endfor %}
    select distinct check_name from open_exceptions
),

affected as (
    select distinct
        open_exceptions.check_name,
        coalesce(customer_regions.region, 'unknown') as region,
        coalesce(
            open_exceptions.golden_customer_id,
            open_exceptions.source_system || ':' || open_exceptions.source_record_id
        ) as affected_key
    from open_exceptions
    left join customer_regions
        on customer_regions.golden_customer_id = open_exceptions.golden_customer_id
),

region_customers as (
    select region, count(*) as customer_count
    from customer_regions
    group by region
),

firm_customers as (
    select count(*) as customer_count from customer_regions
),

regions as (
    select region from region_customers
    union
    select region from affected
),

exception_rates as (
    select
        checks.check_name,
        regions.region,
        case
            when regions.region = 'unknown' then firm_customers.customer_count
            else coalesce(region_customers.customer_count, 0)
        end as customer_count,
        count(distinct affected.affected_key) as affected_count
    from checks
    cross join regions
    cross join firm_customers
    left join region_customers
        on region_customers.region = regions.region
    left join affected
        on affected.check_name = checks.check_name
        and affected.region = regions.region
    group by checks.check_name, regions.region, region_customers.customer_count, firm_customers.customer_count
),

firm_exception_rates as (
    select
        checks.check_name,
        firm_customers.customer_count,
        count(distinct affected.affected_key) as affected_count
    from checks
    cross join firm_customers
    left join affected
        on affected.check_name = checks.check_name
    group by checks.check_name, firm_customers.customer_count
),

measured as (
    select
        kpi, month, 'firm' as dimension, 'all' as dimension_value,
        percentile_cont(0.5) within group (order by days) as kpi_value, 'days' as unit, count(*) as observation_count
    from day_intervals
    group by kpi, month

    union all

    select
        kpi, month, 'legal_entity', coalesce(legal_entity_id, 'unknown'),
        percentile_cont(0.5) within group (order by days), 'days', count(*)
    from day_intervals
    group by kpi, month, coalesce(legal_entity_id, 'unknown')

    union all

    select
        'approved_unposted_hours', cast(null as date), 'firm', 'all',
        coalesce(sum(hours), 0), 'hours', count(*)
    from approved_unposted

    union all

    select
        'approved_unposted_hours', cast(null as date), 'legal_entity', coalesce(legal_entity_id, 'unknown'),
        sum(hours), 'hours', count(*)
    from approved_unposted
    group by coalesce(legal_entity_id, 'unknown')

    union all

    select
        'approved_unposted_amount', cast(null as date), 'currency', coalesce(currency_code, 'unknown'),
        sum(billable_amount), coalesce(currency_code, 'unknown'), count(*)
    from approved_unposted
    group by coalesce(currency_code, 'unknown')

    union all

    select
        'approved_unposted_amount', cast(null as date), 'legal_entity_currency',
        coalesce(legal_entity_id, 'unknown') || '|' || coalesce(currency_code, 'unknown'),
        sum(billable_amount), coalesce(currency_code, 'unknown'), count(*)
    from approved_unposted
    group by coalesce(legal_entity_id, 'unknown'), coalesce(currency_code, 'unknown')

    union all

    select
        'invoices_blocked_by_master_data', cast(null as date), 'firm', 'all',
        sum(case when is_blocked then 1 else 0 end), 'count', count(*)
    from unpaid_invoices

    union all

    select
        'invoices_blocked_by_master_data', cast(null as date), 'legal_entity', coalesce(legal_entity_id, 'unknown'),
        sum(case when is_blocked then 1 else 0 end), 'count', count(*)
    from unpaid_invoices
    group by coalesce(legal_entity_id, 'unknown')

    union all

    select
        'invoices_blocked_by_master_data_amount', cast(null as date), 'currency', coalesce(currency_code, 'unknown'),
        sum(case when is_blocked then amount_remaining else 0 end), coalesce(currency_code, 'unknown'),
        sum(case when is_blocked then 1 else 0 end)
    from unpaid_invoices
    group by coalesce(currency_code, 'unknown')

    union all

    select
        'invoices_blocked_by_master_data_amount', cast(null as date), 'legal_entity_currency',
        coalesce(legal_entity_id, 'unknown') || '|' || coalesce(currency_code, 'unknown'),
        sum(case when is_blocked then amount_remaining else 0 end), coalesce(currency_code, 'unknown'),
        sum(case when is_blocked then 1 else 0 end)
    from unpaid_invoices
    group by coalesce(legal_entity_id, 'unknown'), coalesce(currency_code, 'unknown')

    union all

    select
        'exception_rate', cast(null as date), 'check_name', check_name,
        case when customer_count > 0 then 1.0 * affected_count / customer_count end, 'ratio', customer_count
    from firm_exception_rates

    union all

    select
        'exception_rate', cast(null as date), 'check_name_region', check_name || '|' || region,
        case when customer_count > 0 then 1.0 * affected_count / customer_count end, 'ratio', customer_count
    from exception_rates
)

select
    {{ stable_id('KPI-', "measured.kpi || '|' || coalesce(cast(measured.month as " ~ dbt.type_string() ~ "), 'now')
        || '|' || measured.dimension || '|' || measured.dimension_value") }} as kpi_id,
    measured.kpi,
    case measured.kpi
    {%- for kpi, description in kpi_descriptions.items() %}
        when '{{ kpi }}' then '{{ description | replace("'", "''") }}'
    {%- endfor %}
    end as kpi_description,
    measured.month,
    measured.dimension,
    measured.dimension_value,
    cast(measured.kpi_value as {{ dbt.type_numeric() }}) as value,
    measured.unit,
    cast(measured.observation_count as {{ dbt.type_int() }}) as observation_count,
    as_of.as_of_date
from measured
cross join as_of
