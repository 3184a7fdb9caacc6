-- Every landed version of each opportunity (one row per opportunity and load): when its stage changed.
with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as opportunity_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(harvest_project_id__c as {{ dbt.type_string() }}) as harvest_project_id,
        cast(net_suite_project_id__c as {{ dbt.type_string() }}) as netsuite_project_id,

        ---------- strings
        opportunity_number__c as opportunity_number,
        name as opportunity_name,
        type as opportunity_type,
        stage_name,
        service_line__c as service_line,
        legal_entity__c as legal_entity,
        currency_iso_code as currency_code,
        delivery_status__c as delivery_status,

        ---------- numerics
        amount,
        probability,

        ---------- booleans
        is_closed,
        is_won,

        ---------- dates
        close_date,

        ---------- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at,
        system_modstamp as updated_at,

        ---------- lineage
        _concord_is_deleted as is_deleted,
        _concord_deleted_at as deleted_at,
        _concord_extracted_at as extracted_at,
        _dlt_load_id as load_id,
        _concord_source_system as source_system,
        _concord_version as version

    from source

)

select * from renamed
