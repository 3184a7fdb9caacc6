{#- What Concord posts to NetSuite as billable charges (scenario "approved time -> billable in
    the ERP"): one row per (time entry, field).
    - create: an approved, billable PSA time entry that passed validation against its contract
      (intermediate int_time_entries_validated) and has no charge yet - every field. The
      external id is harvest-te-<time entry id>-v1, which the target upserts on
      (PUT charge/eid:...), so a retried or re-run create updates the charge the first one
      made instead of billing the time twice.
    - update: a posted entry the PSA changed after posting (hours, rate, day, project or
      task) - only the fields whose value the charge does not hold, written to the same charge
      (target_record_id), whose external id moves to the next version
      (harvest-te-<id>-v<n + 1>) so the ERP shows it carries a correction. Never a second
      charge.
    Entries failing validation are not here: they are exceptions (chk_unbilled_time, with the
    reason). Neither is a change to a charge already invoiced: correcting a sent invoice is a
    credit note, for a person (also in chk_unbilled_time).
    The fields are the ownership file's time_entry fields naming netsuite as a receiver; values
    are text, amounts and hours with two decimals, dates ISO, ids as text. -#}

{#- the charge's quantity and price; the fields every charge has are charges_to_post's -#}
{%- set fields = {
    'approved_hours': (format_amount('hours'), format_amount('charge_quantity')),
    'billable_rate': (format_amount('contract_rate'), format_amount('charge_rate')),
} -%}

{{ charges_to_post(validated=ref('int_time_entries_validated'), record_id='time_entry_id',
                   external_id_prefix='harvest-te-', entity='time_entry', fields=fields) }}
