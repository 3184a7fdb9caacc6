{#- The ERP billing item each PSA task (role) and expense category is billed as
    (seeds/billing_items.csv, by the item's code), resolved to the NetSuite item - null when the
    ERP has no such item or made it inactive, which the validations report as unmapped. -#}

select
    billing_items.psa_object,
    billing_items.psa_name,
    billing_items.erp_item_code,
    items.item_id
from {{ ref('billing_items') }} as billing_items
left join {{ ref('stg_netsuite__items') }} as items
    on items.item_code = billing_items.erp_item_code
    and not coalesce(items.is_deleted, false)
    and not coalesce(items.is_inactive, false)
