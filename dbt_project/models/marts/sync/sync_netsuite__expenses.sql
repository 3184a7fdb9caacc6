{#- What Concord posts to NetSuite as billable expense charges (scenario "approved time and
    expenses -> billable in the ERP"): one row per (expense, field). The sibling of
    sync_netsuite__time_entries.
    - create: an approved, billable PSA expense that passed validation against its contract
      (intermediate int_expenses_validated) and has no charge yet - every field. The external
      id is harvest-ex-<expense id>-v1, which the target upserts on (PUT charge/eid:...), so a
      retried or re-run create updates the charge the first one made instead of billing the
      expense twice.
    - update: a posted expense the PSA changed after posting (amount, day, project or
      category) - only the fields whose value the charge does not hold, written to the same
      charge (target_record_id), whose external id moves to the next version
      (harvest-ex-<id>-v<n + 1>). Never a second charge.
    Expenses failing validation are not here: they are exceptions (chk_unbilled_expense, with
    the reason). Neither is a change to a charge already invoiced (a credit note is a person's
    decision; also in chk_unbilled_expense).
    The fields are the ownership file's expense fields naming netsuite as a receiver; values
    are text, the amount with two decimals, dates ISO, ids as text. -#}

{#- the charge's one unit, at the expense's amount; the fields every charge has are charges_to_post's -#}
{{ charges_to_post(validated=ref('int_expenses_validated'), record_id='expense_id', external_id_prefix='harvest-ex-',
                   entity='expense', fields={'amount': (format_amount('amount'), format_amount('charge_amount'))}) }}
