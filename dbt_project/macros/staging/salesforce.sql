{#- Salesforce staging column lists. Each is shared by a current-table model and its history
    model: the same renaming, to which the history model adds `_concord_version as version`. -#}

{#- Used by stg_salesforce__contract_rates and by its history model, stg_salesforce__contract_rate_history. -#}
{% macro salesforce_contract_rate_columns() -%}
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
    {{ staging_lineage_columns() }}
{%- endmacro %}

{#- Used by stg_salesforce__opportunities and by its history model, stg_salesforce__opportunity_history. -#}
{% macro salesforce_opportunity_columns() -%}
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
    {{ staging_lineage_columns() }}
{%- endmacro %}
