{#- The won deals of settled golden customers that have no record in `system` yet, as landed:
    what a customer create in that system is for (scenario "deal won"), with all their columns.
    Arguments:
    - system: the customer's system (netsuite, harvest);
    - opportunities: the relation of canonical.opportunities (is_won, golden_customer_id);
    - write_scopes: the relation of int_customer_write_scopes (which customers are settled,
      which systems hold records of them). -#}
{% macro won_deals_without_customer(system, opportunities, write_scopes) -%}
    select won_opportunities.*
    from {{ opportunities }} as won_opportunities
    left join {{ write_scopes }} as write_scopes
        on write_scopes.golden_customer_id = won_opportunities.golden_customer_id
        and write_scopes.source_system = '{{ system }}'
    where won_opportunities.is_won
        and write_scopes.golden_customer_id is null
        and won_opportunities.golden_customer_id in (
            select golden_customer_id from {{ write_scopes }}
            where is_settled
        )
{%- endmacro %}
