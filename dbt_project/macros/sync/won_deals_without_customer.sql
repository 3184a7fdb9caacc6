{#- The won deals (rows of won_opportunities) of settled golden customers that have no record
    in `system` yet, as landed: what a customer create in that system is for (scenario "deal
    won"). Reads the model's CTEs won_opportunities, settled_customers and records_per_system
    (int_customer_write_scopes). -#}
{% macro won_deals_without_customer(system) -%}
    select won_opportunities.*
    from won_opportunities
    inner join settled_customers
        on settled_customers.golden_customer_id = won_opportunities.golden_customer_id
    left join records_per_system
        on records_per_system.golden_customer_id = won_opportunities.golden_customer_id
        and records_per_system.source_system = '{{ system }}'
    where records_per_system.golden_customer_id is null
{%- endmacro %}
