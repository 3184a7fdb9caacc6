{#- Validating approved PSA time and expenses before they are posted to the ERP as billable
    charges (int_time_entries_validated, int_expenses_validated). Both read the columns of
    int_project_billing_contexts and the record's billing item (erp_item_code, billing_item_id). -#}

{#- The checks in order; the first that fails is the record's validation_failure. The record's
    own checks (own_checks: (failure, condition) pairs, e.g. the rate of time) come after its
    billing item's and before the legal entity's. -#}
{% macro billing_validation_failure(unmapped_failure, own_checks=[]) -%}
    case
        when netsuite_project_id is null or netsuite_project_number is null then 'no_erp_project'
        when contract_id is null then 'no_contract'
        when billing_item_id is null then '{{ unmapped_failure }}'
        {%- for failure, condition in own_checks %}
        when {{ condition }} then '{{ failure }}'
        {%- endfor %}
        when legal_entity_id is null then 'unknown_legal_entity'
        when netsuite_project_subsidiary_id is distinct from legal_entity_id then 'wrong_legal_entity'
    end
{%- endmacro %}

{#- Why a record of `relation` fails validation, as a finance person reads it: `unmapped_label`
    names what has no billing item ('task Consultant'), own_reasons are (failure, expression)
    pairs for the record's own checks. Null when the record is valid. -#}
{% macro billing_validation_reason(relation, unmapped_failure, unmapped_label, own_reasons=[]) -%}
    case {{ relation }}.validation_failure
        when 'no_erp_project' then 'project ' || coalesce({{ relation }}.project_name, {{ relation }}.harvest_project_id)
            || ' has no ERP project to post it to'
        when 'no_contract' then 'project ' || coalesce({{ relation }}.project_name, {{ relation }}.harvest_project_id)
            || ' has no signed contract to bill it against'
        when '{{ unmapped_failure }}' then {{ unmapped_label }}
            || case
                when {{ relation }}.erp_item_code is null then ' is mapped to no ERP billing item'
                else ' is billed as item ' || {{ relation }}.erp_item_code || ', which the ERP does not have (or made inactive)'
            end
        {%- for failure, expression in own_reasons %}
        when '{{ failure }}' then {{ expression }}
        {%- endfor %}
        when 'unknown_legal_entity' then 'contract ' || {{ relation }}.contract_label || ' was signed with '
            || coalesce({{ relation }}.contracted_legal_entity_name, '(no legal entity)') || ', which is no ERP subsidiary'
        when 'wrong_legal_entity' then 'ERP project ' || {{ relation }}.netsuite_project_number || ' is booked in '
            || coalesce(
                {{ relation }}.netsuite_project_subsidiary_name, 'subsidiary ' || {{ relation }}.netsuite_project_subsidiary_id
            )
            || ' but contract ' || {{ relation }}.contract_label || ' was signed with ' || {{ relation }}.contracted_legal_entity_name
    end
{%- endmacro %}

{#- The n of a charge's external id harvest-te-<id>-v<n> / harvest-ex-<id>-v<n> (1 when there is
    no charge): the version a correction moves on from. -#}
{% macro charge_posting_version(external_id) -%}
    coalesce(
        cast(nullif(regexp_replace({{ dbt.split_part(external_id, "'-'", 4) }}, '[^0-9]', '', 'g'), '') as integer),
        1
    )
{%- endmacro %}
