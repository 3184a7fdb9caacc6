{#- The tables stewards write to (run on every dbt invocation, before any model): decisions
    on customer match pairs, read by `int_customer_pairs_scored` through the `governance`
    source. They live in the warehouse, not in the repo, so a decision made in the UI or with
    SQL takes effect on the next build. -#}
{% macro create_governance_tables() %}
    {% set sql %}
        create schema if not exists governance;
        create table if not exists governance.steward_match_decisions (
            record_key_a {{ dbt.type_string() }} not null,
            record_key_b {{ dbt.type_string() }} not null,
            decision {{ dbt.type_string() }} not null,
            decided_by {{ dbt.type_string() }},
            decided_at {{ dbt.type_timestamp() }},
            note {{ dbt.type_string() }}
        );
    {% endset %}
    {% do run_query(sql) %}
{% endmacro %}
