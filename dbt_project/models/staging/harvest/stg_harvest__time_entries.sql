with

source as (

    select * from {{ source('harvest', 'time_entries') }}

),

renamed as (

    select

        {{ harvest_time_entry_columns() }}

    from source

)

select * from renamed
