{#- Who receives each owned field: one row per (entity, field, receiving system) of the
    ownership file (seeds/ownership.csv), whose `receivers` column lists the systems a field's
    authoritative value is written to, separated by white space. A field no system receives has
    no row. The sync models join it to know which fields they may write. -#}

with

ownership as (
    select * from {{ ref('ownership') }}
),

-- one row per word of the receivers list (the same split on DuckDB and PostgreSQL)
receivers_split as (
    select
        entity,
        field,
        unnest(regexp_split_to_array(trim(receivers), '\s+')) as receiver
    from ownership
    where receivers is not null
)

select entity, field, receiver
from receivers_split
where receiver <> ''
