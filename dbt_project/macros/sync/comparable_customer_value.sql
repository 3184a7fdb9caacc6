{#- A golden customer field's value (`value`, text in the canonical vocabulary) with what is only
    formatting removed, as the customer syncs compare what they would write with what the target
    holds: tax ids without punctuation, postal codes without spaces, country and currency codes
    upper-case, runs of white space as one space. `field` is the column naming the field. -#}
{% macro comparable_customer_value(field, value) -%}
    case {{ field }}
        when 'tax_id' then {{ normalized_tax_id(value) }}
        when 'billing_postal_code' then upper(replace({{ value }}, ' ', ''))
        when 'billing_country' then upper({{ value }})
        when 'currency_code' then upper({{ value }})
        else regexp_replace({{ value }}, '\s+', ' ', 'g')
    end
{%- endmacro %}
