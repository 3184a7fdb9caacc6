-- NetSuite calls a project a job.
with

source as (

    select * from {{ source('netsuite', 'job') }}

),

renamed as (

    select

        ---------- ids
        cast(id as {{ dbt.type_string() }}) as project_id,
        cast(parent as {{ dbt.type_string() }}) as customer_id,
        cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
        cast(currency as {{ dbt.type_string() }}) as currency_id,
        cast(externalid as {{ dbt.type_string() }}) as external_id,
        cast(custentity_harvest_project_id as {{ dbt.type_string() }}) as harvest_project_id,
        cast(custentity_sf_opportunity_id as {{ dbt.type_string() }}) as salesforce_opportunity_id,

        ---------- strings
        entityid as project_number,
        companyname as project_name,
        entitystatus as project_status,

        ---------- booleans
        isinactive as is_inactive,

        ---------- dates
        startdate as start_date,
        projectedenddate as projected_end_date,

        ---------- timestamps
        datecreated as created_at,
        lastmodifieddate as updated_at,

        ---------- lineage
        {{ staging_lineage_columns() }}

    from source

)

select * from renamed
