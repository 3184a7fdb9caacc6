{#- The references between one vendor's own records that Concord relies on: each names a
    staging model (`model`, its id column `key`, what a finance person calls the record,
    `object`), the column holding the reference (`column`) and the record it names (`parent`,
    `parent_key`, `parent_object`). A reference is broken when the record it names is not in the
    landed data or is deleted there (int_broken_references; chk_broken_reference reports each).

    `kept` marks master data (customers, accounts, legal entities): a record with a
    broken reference stays in the model, as leaving a customer out would make the write-back
    create it again, and the write-back writes nothing to it. Every other record with a broken
    reference, and every record naming one that is left out, is left out of the canonical
    model and of the write-back's plans.

    The same references are the `relationships` tests of the staging layer (warn: a broken one
    is vendor data, reported here, not a failed build); history models are not listed, a past
    version's reference being the current record's business. -#}
{% macro vendor_references() -%}
{#- (record's staging model, its id, what it is, the referencing column, the staging model of
    the record named, its id, what that is, kept) -#}
{%- set rows = [
    ('stg_harvest__projects', 'project_id', 'project', 'client_id', 'stg_harvest__clients', 'client_id', 'client', false),
    ('stg_harvest__task_assignments', 'task_assignment_id', 'task assignment', 'project_id', 'stg_harvest__projects', 'project_id', 'project', false),
    ('stg_harvest__task_assignments', 'task_assignment_id', 'task assignment', 'task_id', 'stg_harvest__tasks', 'task_id', 'task', false),
    ('stg_harvest__user_assignments', 'user_assignment_id', 'user assignment', 'project_id', 'stg_harvest__projects', 'project_id', 'project', false),
    ('stg_harvest__user_assignments', 'user_assignment_id', 'user assignment', 'user_id', 'stg_harvest__users', 'user_id', 'user', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'user_id', 'stg_harvest__users', 'user_id', 'user', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'client_id', 'stg_harvest__clients', 'client_id', 'client', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'project_id', 'stg_harvest__projects', 'project_id', 'project', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'task_id', 'stg_harvest__tasks', 'task_id', 'task', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'user_assignment_id', 'stg_harvest__user_assignments', 'user_assignment_id', 'user assignment', false),
    ('stg_harvest__time_entries', 'time_entry_id', 'time entry', 'task_assignment_id', 'stg_harvest__task_assignments', 'task_assignment_id', 'task assignment', false),
    ('stg_harvest__expenses', 'expense_id', 'expense', 'user_id', 'stg_harvest__users', 'user_id', 'user', false),
    ('stg_harvest__expenses', 'expense_id', 'expense', 'client_id', 'stg_harvest__clients', 'client_id', 'client', false),
    ('stg_harvest__expenses', 'expense_id', 'expense', 'project_id', 'stg_harvest__projects', 'project_id', 'project', false),
    ('stg_harvest__expenses', 'expense_id', 'expense', 'expense_category_id', 'stg_harvest__expense_categories', 'expense_category_id', 'expense category', false),

    ('stg_netsuite__subsidiaries', 'subsidiary_id', 'subsidiary', 'currency_id', 'stg_netsuite__currencies', 'currency_id', 'currency', true),
    ('stg_netsuite__customers', 'customer_id', 'customer', 'parent_customer_id', 'stg_netsuite__customers', 'customer_id', 'parent customer', true),
    ('stg_netsuite__customers', 'customer_id', 'customer', 'subsidiary_id', 'stg_netsuite__subsidiaries', 'subsidiary_id', 'subsidiary', true),
    ('stg_netsuite__customers', 'customer_id', 'customer', 'currency_id', 'stg_netsuite__currencies', 'currency_id', 'currency', true),
    ('stg_netsuite__customers', 'customer_id', 'customer', 'terms_id', 'stg_netsuite__terms', 'terms_id', 'terms', true),
    ('stg_netsuite__projects', 'project_id', 'project', 'customer_id', 'stg_netsuite__customers', 'customer_id', 'customer', false),
    ('stg_netsuite__projects', 'project_id', 'project', 'subsidiary_id', 'stg_netsuite__subsidiaries', 'subsidiary_id', 'subsidiary', false),
    ('stg_netsuite__projects', 'project_id', 'project', 'currency_id', 'stg_netsuite__currencies', 'currency_id', 'currency', false),
    ('stg_netsuite__addresses', 'address_id', 'address', 'customer_id', 'stg_netsuite__customers', 'customer_id', 'customer', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'customer_id', 'stg_netsuite__customers', 'customer_id', 'customer', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'project_id', 'stg_netsuite__projects', 'project_id', 'project', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'subsidiary_id', 'stg_netsuite__subsidiaries', 'subsidiary_id', 'subsidiary', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'currency_id', 'stg_netsuite__currencies', 'currency_id', 'currency', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'item_id', 'stg_netsuite__items', 'item_id', 'item', false),
    ('stg_netsuite__charges', 'charge_id', 'charge', 'invoice_id', 'stg_netsuite__transactions', 'transaction_id', 'invoice', false),
    ('stg_netsuite__transactions', 'transaction_id', 'transaction', 'customer_id', 'stg_netsuite__customers', 'customer_id', 'customer', false),
    ('stg_netsuite__transactions', 'transaction_id', 'transaction', 'project_id', 'stg_netsuite__projects', 'project_id', 'project', false),
    ('stg_netsuite__transactions', 'transaction_id', 'transaction', 'subsidiary_id', 'stg_netsuite__subsidiaries', 'subsidiary_id', 'subsidiary', false),
    ('stg_netsuite__transactions', 'transaction_id', 'transaction', 'currency_id', 'stg_netsuite__currencies', 'currency_id', 'currency', false),
    ('stg_netsuite__transaction_lines', 'transaction_line_id', 'transaction line', 'transaction_id', 'stg_netsuite__transactions', 'transaction_id', 'transaction', false),
    ('stg_netsuite__transaction_lines', 'transaction_line_id', 'transaction line', 'item_id', 'stg_netsuite__items', 'item_id', 'item', false),
    ('stg_netsuite__transaction_lines', 'transaction_line_id', 'transaction line', 'charge_id', 'stg_netsuite__charges', 'charge_id', 'charge', false),
    ('stg_netsuite__transaction_lines', 'transaction_line_id', 'transaction line', 'applied_to_transaction_id', 'stg_netsuite__transactions', 'transaction_id', 'invoice', false),

    ('stg_salesforce__accounts', 'account_id', 'account', 'parent_account_id', 'stg_salesforce__accounts', 'account_id', 'parent account', true),
    ('stg_salesforce__opportunities', 'opportunity_id', 'opportunity', 'account_id', 'stg_salesforce__accounts', 'account_id', 'account', false),
    ('stg_salesforce__opportunity_line_items', 'opportunity_line_item_id', 'opportunity line item', 'opportunity_id', 'stg_salesforce__opportunities', 'opportunity_id', 'opportunity', false),
    ('stg_salesforce__contracts', 'contract_id', 'contract', 'account_id', 'stg_salesforce__accounts', 'account_id', 'account', false),
    ('stg_salesforce__contracts', 'contract_id', 'contract', 'opportunity_id', 'stg_salesforce__opportunities', 'opportunity_id', 'opportunity', false),
    ('stg_salesforce__contract_rates', 'contract_rate_id', 'contract rate', 'contract_id', 'stg_salesforce__contracts', 'contract_id', 'contract', false),
] -%}
{%- set references = [] -%}
{%- for model, key, object, column, parent, parent_key, parent_object, kept in rows -%}
    {%- do references.append({'model': model, 'key': key, 'object': object, 'column': column, 'parent': parent,
                              'parent_key': parent_key, 'parent_object': parent_object, 'kept': kept}) -%}
{%- endfor -%}
{{ return(references) }}
{%- endmacro %}

{#- True for a record of `model` (its id the expression `key`) none of whose references is
    broken (int_broken_references): the filter every model reading a listed staging model's
    records applies, so no record with a broken reference reaches the canonical model or the
    write-back. -#}
{% macro references_intact(model, key) -%}
    not exists (
        select 1 from {{ ref('int_broken_references') }} as broken
        where broken.source_model = '{{ model }}'
            and broken.source_record_id = {{ key }}
    )
{%- endmacro %}

{#- The columns of int_broken_references for the records of `reference`'s model (aliased
    child), with `state` the expression saying what became of the record it names. -#}
{% macro broken_reference_row(reference, state) -%}
    select
        '{{ reference.model }}' as source_model,
        '{{ reference.model.split("__")[0][4:] }}' as source_system,
        '{{ reference.object }}' as source_object,
        child.{{ reference.key }} as source_record_id,
        '{{ reference.column }}' as field,
        '{{ reference.parent_object }}' as reference_object,
        child.{{ reference.column }} as reference_record_id,
        {{ state }} as reference_state,
        {{ 'true' if reference.kept else 'false' }} as is_kept
    from {{ ref(reference.model) }} as child
{%- endmacro %}
