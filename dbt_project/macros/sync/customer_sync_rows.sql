{#- The rows a customer sync writes into `system` (sync_harvest__customers,
    sync_netsuite__customers), in the sync models' columns: an update of each field the system
    receives where the golden value differs from what a writable record holds other than in
    formatting (comparable_customer_value), and every field of each customer to create, each
    only with a value (sync_update_rows, sync_create_rows). The fields the system receives are
    the ownership file's (stg_governance__ownership_receivers). Arguments:
    - system: the customer's system, the target;
    - records, record_key: the relation of the system's customer records (extracted_at) and
      their id column;
    - desired: the relation of golden values (golden_customer_id, field, desired_value);
    - held: the relation of what each record holds (record_key, field, current_value);
    - create_targets: the relation of golden customers to create (golden_customer_id);
    - create_extra_values: the relation of a create's further values (golden_customer_id,
      field, desired_value);
    - xref, write_scopes: the relations of canonical.customer_xref and int_customer_write_scopes
      (writable_customer_records). -#}
{% macro customer_sync_rows(system, records, record_key, desired, held, create_targets, create_extra_values,
                            xref, write_scopes) -%}
{%- set receiving -%}
    (select field from {{ ref('stg_governance__ownership_receivers') }} where entity = 'customer' and receiver = '{{ system }}')
{%- endset -%}
{%- set update_targets -%}
    ({{ writable_customer_records(system, xref=xref, write_scopes=write_scopes, records=records, record_key=record_key) }})
{%- endset -%}
select *
from (
    {{ sync_update_rows(system, targets=update_targets, target_key=record_key, golden_key='golden_customer_id',
                        desired=desired, held=held, receiving=receiving) }}
) as updates
where desired_value is not null
    and {{ comparable_customer_value('field', 'desired_value') }}
        is distinct from {{ comparable_customer_value('field', 'current_value') }}

union all

select *
from (
    {{ sync_create_rows(targets=create_targets, golden_key='golden_customer_id', desired=desired,
                        receiving=receiving, extra_values=create_extra_values) }}
) as creates
where desired_value is not null
{%- endmacro %}
