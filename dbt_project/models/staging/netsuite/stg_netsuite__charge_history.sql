-- Every landed version of each billable charge (one row per charge and load): when it was invoiced.
with

source as (

    select * from {{ source('netsuite', 'charge_history') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as charge_id,
        cast(billto as {{ dbt.type_string() }}) as customer_id,
        cast(project as {{ dbt.type_string() }}) as project_id,
        cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
        cast(currency as {{ dbt.type_string() }}) as currency_id,
        cast(billingitem as {{ dbt.type_string() }}) as item_id,
        cast(invoice as {{ dbt.type_string() }}) as invoice_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,

        ---------- strings
        chargetype as charge_type,
        stage as charge_stage,
        description,

        ---------- numerics
        quantity,
        rate,
        amount,

        ---------- dates
        chargedate as charge_date,

        ---------- timestamps
        datecreated as created_at,
        lastmodifieddate as updated_at,

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
