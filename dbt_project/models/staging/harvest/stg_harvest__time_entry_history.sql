-- Every landed version of each time entry (one row per entry and load): when it was submitted, approved, billed.
with

source as (

    select * from {{ source('harvest', 'time_entries_history') }}

),

renamed as (

    select

        {{ harvest_time_entry_columns() }},
        _concord_version as version

    from source

)

select * from renamed
