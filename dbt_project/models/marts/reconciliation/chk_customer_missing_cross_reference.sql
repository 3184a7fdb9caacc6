{#- A CRM account and an ERP customer that are the same client but do not point at each
    other (NetSuite_Customer_Id__c on the account, custentity_sf_account_id on the customer),
    so a write-back or an invoice cannot follow the link. -#}

with

records as (
    select * from {{ ref('int_customer_records') }}
),

xref as (
    select * from {{ ref('customer_xref') }}
),

pairs as (
    select
        erp.golden_customer_id,
        erp.source_record_id as customer_id,
        crm.source_record_id as account_id
    from xref as erp
    inner join xref as crm
        on crm.golden_customer_id = erp.golden_customer_id
        and crm.source_system = 'salesforce'
        and crm.is_anchor
    where erp.source_system = 'netsuite'
)

select
    'customer_missing_cross_reference' as check_name,
    pairs.golden_customer_id,
    'netsuite' as source_system,
    pairs.customer_id as source_record_id,
    'salesforce' as reference_system,
    pairs.account_id as reference_record_id,
    'cross_reference' as field,
    customer.salesforce_account_id as observed_value,
    pairs.account_id as expected_value,
    'ERP customer ' || pairs.customer_id || ' and CRM account ' || pairs.account_id
        || ' are the same client but are not linked to each other' as reason
from pairs
inner join records as customer
    on customer.source_system = 'netsuite' and customer.source_record_id = pairs.customer_id
inner join records as account
    on account.source_system = 'salesforce' and account.source_record_id = pairs.account_id
where customer.salesforce_account_id is null
    or account.netsuite_customer_id is null
    or customer.salesforce_account_id <> pairs.account_id
    or account.netsuite_customer_id <> pairs.customer_id
