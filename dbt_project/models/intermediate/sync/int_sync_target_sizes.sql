{#- How many live records each write-back target holds, by the staging model of its records:
    what the sync models' circuit breaker (tests/generic/changes_at_most_records_per_run.sql)
    measures a share of. A model of its own, not the staging models themselves, so the guards
    stay tests of the marts, which the loop runs (dbt_project/selectors.yml leaves out every
    test touching a staging model). -#}

{%- set targets = ['stg_netsuite__customers', 'stg_harvest__clients', 'stg_salesforce__accounts',
                   'stg_salesforce__opportunities', 'stg_harvest__projects', 'stg_netsuite__charges'] -%}

{%- for target in targets %}
select '{{ target }}' as target_model, count(*) as live_records
from {{ ref(target) }}
where {{ is_live() }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
