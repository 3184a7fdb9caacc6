{#- Vendor records that name a record their own system does not have: a Harvest project of a
    client Harvest does not have, a time entry of a deleted project, a NetSuite invoice line
    of a missing invoice, a contract of a deleted deal (int_broken_references). The record is
    left out of the canonical model and nothing is written for it - or, for a customer, account
    or legal entity, nothing is written to it - until the reference is fixed in its system;
    one bad record never stops the build or the write-back of the others. -#}

{%- set systems = {'harvest': 'Harvest', 'netsuite': 'NetSuite', 'salesforce': 'Salesforce'} -%}
{%- set system_name -%}
    case broken.source_system
    {%- for system, name in systems.items() %} when '{{ system }}' then '{{ name }}'{% endfor %}
    end
{%- endset -%}

with

broken as (
    select * from {{ ref('int_broken_references') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
)

select
    'broken_reference' as check_name,
    xref.golden_customer_id,
    broken.source_system,
    broken.source_record_id,
    broken.source_system as reference_system,
    broken.reference_record_id,
    -- the object names the reference: a time entry and an expense may share an id
    replace(broken.source_object, ' ', '_') || '.' || broken.field as field,
    broken.reference_record_id as observed_value,
    cast(null as {{ dbt.type_string() }}) as expected_value,
    {{ system_name }} || ' ' || broken.source_object || ' ' || broken.source_record_id
        || ' names ' || broken.reference_object || ' ' || broken.reference_record_id || ', which '
        || case broken.reference_state
            when 'missing' then {{ system_name }} || ' does not have'
            when 'deleted' then 'was deleted in ' || {{ system_name }}
            else 'is left out for a broken reference of its own'
        end
        || case
            when broken.is_kept then ': nothing is written to it'
            else ': it is left out of the canonical model and nothing is written for it'
        end
        || ' until the reference is fixed in ' || {{ system_name }} as reason
from broken
-- the golden customer, for the customer records kept in the model
left join xref
    on broken.is_kept
    and xref.record_key = broken.source_system || ':' || broken.source_record_id
    and broken.source_model in ('stg_salesforce__accounts', 'stg_netsuite__customers')
