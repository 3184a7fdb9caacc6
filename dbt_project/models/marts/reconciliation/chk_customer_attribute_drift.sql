{#- A customer attribute that a system receiving it (per the ownership file) holds
    differently from the golden record, e.g. the ERP's legal name or payment terms differ
    from the CRM's. One row per (record, field). -#}

with

survivor as (
    select * from {{ ref('int_customer_attribute_survivors') }}
),

received as (
    select * from {{ ref('int_customer_attribute_values') }}
    where is_receiver
)

select
    'customer_attribute_drift' as check_name,
    received.golden_customer_id,
    received.source_system,
    received.source_record_id,
    survivor.source_system as reference_system,
    survivor.source_record_id as reference_record_id,
    received.field,
    received.field_value as observed_value,
    survivor.field_value as expected_value,
    received.source_system || ' ' || received.source_record_id || ' has ' || replace(received.field, '_', ' ')
        || ' ''' || coalesce(received.field_value, '(empty)') || ''' but the '
        || survivor.source_system || ' record of the customer, which owns it, has '''
        || survivor.field_value || '''' as reason
from received
inner join survivor
    on survivor.golden_customer_id = received.golden_customer_id
    and survivor.field = received.field
where received.source_system <> survivor.source_system
    and (received.field_value is null or received.field_value <> survivor.field_value)
