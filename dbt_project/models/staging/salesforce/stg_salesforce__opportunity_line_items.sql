with

source as (

    select * from {{ source('salesforce', 'opportunity_line_item') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as opportunity_line_item_id,
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,

        ---------- strings
        name as line_item_name,
        role__c as role_name,
        description,

        ---------- numerics
        quantity,
        unit_price,
        total_price,

        ---------- dates
        service_date,

        ---------- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at,
        system_modstamp as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
