with

source as (

    select * from {{ source('salesforce', 'contract') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as contract_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(opportunity__c as {{ dbt.type_string() }}) as opportunity_id,

        ---------- strings
        contract_number,
        status as contract_status,
        legal_entity__c as legal_entity,
        currency_iso_code as currency_code,
        payment_terms__c as payment_terms,

        ---------- numerics
        contract_term as contract_term_months,

        ---------- dates
        start_date,
        end_date,

        ---------- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at,
        system_modstamp as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
