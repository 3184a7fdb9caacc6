{#- One row per problem the consistency checks have found, open or resolved: what it is
    (check, severity, a reason a finance person can read), which systems and records it
    involves, the golden customer, and when it was first seen, last seen and resolved. A
    problem that is no longer found is marked resolved, never deleted; one that comes back is
    open again. Severities are configuration (`vars.checks` in dbt_project.yml).
    Never rebuilt from scratch (`full_refresh: false`): the history of problems is the point. -#}

{{ config(
    materialized='incremental',
    unique_key='exception_id',
    incremental_strategy='delete+insert',
    full_refresh=false,
) }}

{%- set checks = [
    'chk_customer_attribute_drift', 'chk_customer_missing_cross_reference', 'chk_duplicate_customers',
    'chk_won_opportunity_not_provisioned', 'chk_orphan_project', 'chk_broken_reference', 'chk_stale_rate',
    'chk_unbilled_time', 'chk_unbilled_expense', 'chk_charge_without_approved_time', 'chk_invoice_total_mismatch',
    'chk_wrong_legal_entity', 'chk_quarantined_record',
] -%}
{%- set columns = 'check_name, golden_customer_id, source_system, source_record_id, reference_system,
    reference_record_id, field, observed_value, expected_value, reason' -%}

with

found as (
    {%- for check in checks %}
    select {{ columns }} from {{ ref(check) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

current_problems as (
    select
        {{ stable_id('EX-', "check_name || '|' || source_system || '|' || source_record_id || '|' || field") }}
            as exception_id,
        check_name,
        {{ check_severity('check_name') }} as severity,
        reason,
        golden_customer_id,
        source_system,
        source_record_id,
        reference_system,
        reference_record_id,
        field,
        observed_value,
        expected_value,
        {{ run_started_at_utc() }} as seen_at
    from found
)

{% if is_incremental() %}

, previous as (
    select * from {{ this }}
)

select
    coalesce(current_problems.exception_id, previous.exception_id) as exception_id,
    coalesce(current_problems.check_name, previous.check_name) as check_name,
    coalesce(current_problems.severity, previous.severity) as severity,
    coalesce(current_problems.reason, previous.reason) as reason,
    coalesce(current_problems.golden_customer_id, previous.golden_customer_id) as golden_customer_id,
    coalesce(current_problems.source_system, previous.source_system) as source_system,
    coalesce(current_problems.source_record_id, previous.source_record_id) as source_record_id,
    coalesce(current_problems.reference_system, previous.reference_system) as reference_system,
    coalesce(current_problems.reference_record_id, previous.reference_record_id) as reference_record_id,
    coalesce(current_problems.field, previous.field) as field,
    case when current_problems.exception_id is not null then current_problems.observed_value
        else previous.observed_value end as observed_value,
    case when current_problems.exception_id is not null then current_problems.expected_value
        else previous.expected_value end as expected_value,
    coalesce(previous.first_seen_at, current_problems.seen_at) as first_seen_at,
    coalesce(current_problems.seen_at, previous.last_seen_at) as last_seen_at,
    case
        when current_problems.exception_id is not null then null
        else coalesce(previous.resolved_at, {{ run_started_at_utc() }})
    end as resolved_at,
    current_problems.exception_id is not null as is_open
from current_problems
full outer join previous
    on previous.exception_id = current_problems.exception_id

{% else %}

select
    exception_id,
    check_name,
    severity,
    reason,
    golden_customer_id,
    source_system,
    source_record_id,
    reference_system,
    reference_record_id,
    field,
    observed_value,
    expected_value,
    seen_at as first_seen_at,
    seen_at as last_seen_at,
    cast(null as {{ dbt.type_timestamp() }}) as resolved_at,
    true as is_open
from current_problems

{% endif %}
