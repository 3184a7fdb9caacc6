{#- Invoices issued by a legal entity (NetSuite subsidiary) other than the one the contract
    was signed with (Legal_Entity__c of the contract of the project's opportunity). Such an
    invoice books revenue, tax and receivables in the wrong company. -#}

with

invoices as (
    select * from {{ ref('invoices') }}
),

contracted as (
    select * from {{ ref('int_projects_contracted_entities') }}
),

subsidiaries as (
    select * from {{ ref('stg_netsuite__subsidiaries') }}
)

select
    'wrong_legal_entity' as check_name,
    invoices.golden_customer_id,
    'netsuite' as source_system,
    invoices.invoice_id as source_record_id,
    'salesforce' as reference_system,
    contracted.contract_id as reference_record_id,
    'legal_entity' as field,
    coalesce(issuing.subsidiary_name, invoices.legal_entity_id) as observed_value,
    contracted.contracted_legal_entity_name as expected_value,
    'invoice ' || coalesce(invoices.invoice_number, invoices.invoice_id) || ' was issued by '
        || coalesce(issuing.subsidiary_name, 'subsidiary ' || invoices.legal_entity_id)
        || ' but contract ' || coalesce(contracted.contract_number, contracted.contract_id) || ' was signed with '
        || contracted.contracted_legal_entity_name as reason
from invoices
inner join contracted
    on contracted.project_id = invoices.project_id
left join subsidiaries as issuing
    on issuing.subsidiary_id = invoices.legal_entity_id
where contracted.contracted_legal_entity_id is null
    or invoices.legal_entity_id is null
    or invoices.legal_entity_id <> contracted.contracted_legal_entity_id
