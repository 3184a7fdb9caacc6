{#- NetSuite staging column lists. Each is shared by a current-table model and its history
    model: the same renaming, to which the history model adds `_concord_version as version`. -#}

{#- Used by stg_netsuite__charges and by its history model, stg_netsuite__charge_history. -#}
{% macro netsuite_charge_columns() -%}
    ---------- ids
    cast(id as {{ dbt.type_string() }}) as charge_id,
    cast(billto as {{ dbt.type_string() }}) as customer_id,
    cast(project as {{ dbt.type_string() }}) as project_id,
    cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
    cast(currency as {{ dbt.type_string() }}) as currency_id,
    cast(billingitem as {{ dbt.type_string() }}) as item_id,
    cast(invoice as {{ dbt.type_string() }}) as invoice_id,
    cast(externalid as {{ dbt.type_string() }}) as external_id,

    ---------- strings
    chargetype as charge_type,
    stage as charge_stage,
    description,

    ---------- numerics
    quantity,
    rate,
    amount,

    ---------- dates
    chargedate as charge_date,

    ---------- timestamps
    datecreated as created_at,
    lastmodifieddate as updated_at,

    ---------- lineage
    {{ staging_lineage_columns() }}
{%- endmacro %}

{#- Used by stg_netsuite__transactions and by its history model, stg_netsuite__transaction_history. -#}
{% macro netsuite_transaction_columns() -%}
    ---------- ids
    cast(id as {{ dbt.type_string() }}) as transaction_id,
    cast(entity as {{ dbt.type_string() }}) as customer_id,
    cast(job as {{ dbt.type_string() }}) as project_id,
    cast(subsidiary as {{ dbt.type_string() }}) as subsidiary_id,
    cast(currency as {{ dbt.type_string() }}) as currency_id,
    cast(externalid as {{ dbt.type_string() }}) as external_id,

    ---------- strings
    tranid as transaction_number,
    case type
        when 'CustInvc' then 'invoice'
        when 'CustPymt' then 'payment'
        else type
    end as transaction_type,
    status as transaction_status,
    memo,

    ---------- numerics
    -- "foreign" amounts are in the transaction's own currency
    foreigntotal as total_amount,
    foreignamountremaining as amount_remaining,

    ---------- dates
    trandate as transaction_date,
    duedate as due_date,

    ---------- timestamps
    createddate as created_at,
    lastmodifieddate as updated_at,

    ---------- lineage
    {{ staging_lineage_columns() }}
{%- endmacro %}
