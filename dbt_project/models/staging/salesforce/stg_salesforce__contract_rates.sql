with

source as (

    select * from {{ source('salesforce', 'contract_rate') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as contract_rate_id,
        cast(contract__c as {{ dbt.type_string() }}) as contract_id,

        ---------- strings
        name as contract_rate_name,
        role__c as role_name,
        currency_iso_code as currency_code,

        ---------- numerics
        rate__c as hourly_rate,
        -- a Salesforce number field, so landed as a double; amendments are counted in whole numbers
        cast(amendment_number__c as {{ dbt.type_int() }}) as amendment_number,

        ---------- dates
        effective_date__c as effective_date,

        ---------- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at,
        system_modstamp as updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system

    from source

)

select * from renamed
