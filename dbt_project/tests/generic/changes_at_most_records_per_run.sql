{#
    A guard on a sync model, the write-back's circuit breaker: a broken match or a bad load that
    suddenly wants to rewrite much of a system stops here (an error, so Dagster does not run the
    write-back) until a person has looked. It trips when the sync would, in one run,
    - change more records than var('sync_max_records_per_run') (creates and updates alike), or
    - overwrite values in more of the records the target holds than var('sync_max_share_per_run')
      of them (an update of a field the target holds a value in; never fewer allowed than
      var('sync_share_floor_records'), so a tiny firm's cycles run).
    Creates, and updates that only fill what the target left empty (stamping ids, a first
    address), are provisioning: on a first run every row is one - every create into an empty
    target, an id stamped on every record - and a share of the target would stop every first
    provisioning; the absolute count bounds them.
    Arguments: key, the column naming the record (sync_key); target, the staging model of the
    target's records, by name (its live rows, counted in int_sync_target_sizes, are the
    target's size). Raise a var for a deliberate mass
    change (the dbt step's `dbt_vars`, or `--vars`). One row when it trips, with the counts.
#}
{% test changes_at_most_records_per_run(model, key, target) %}

with

changes as (
    select
        count(distinct {{ key }}) as records_to_change,
        count(distinct case when operation <> 'create' and current_value is not null then {{ key }} end)
            as records_to_overwrite
    from {{ model }}
),

target_size as (
    select coalesce(max(live_records), 0) as target_records
    from {{ ref('int_sync_target_sizes') }}
    where target_model = '{{ target }}'
),

limits as (
    select
        changes.records_to_change,
        changes.records_to_overwrite,
        target_size.target_records,
        greatest(
            {{ var('sync_share_floor_records') }},
            floor({{ var('sync_max_share_per_run') }} * target_size.target_records)
        ) as records_to_overwrite_allowed
    from changes
    cross join target_size
)

select *
from limits
where records_to_change > {{ var('sync_max_records_per_run') }}
    or records_to_overwrite > records_to_overwrite_allowed

{% endtest %}
