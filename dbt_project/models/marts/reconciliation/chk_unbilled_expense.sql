{#- Approved billable expenses the ERP does not bill as it should: one row per PSA expense that
    - is not posted as a billable charge within the SLA (vars checks.unbilled_expense.sla_days,
      default 2: a charge is due by the second day after approval) - an expense the client
      owes the firm and has not been billed for;
    - cannot be posted at all, whatever its age, because it fails validation against its
      contract (int_expenses_validated: no ERP project, no contract, a category with no
      billing item, no amount, a legal entity the ERP does not match) - the write-back leaves
      it alone until a person fixes the data;
    - was changed in the PSA after it was posted, and its charge cannot be corrected: the new
      values fail validation, or the charge is already invoiced (a credit note is a person's
      decision).
    The sibling of chk_unbilled_time. Posted expenses whose charge the write-back can still
    correct are not problems yet. -#}

{{ unbilled_charges('unbilled_expense', validated=ref('int_expenses_validated'), record_id='expense_id',
                    subject='expense',
                    details="coalesce(category_name, 'no category') || ', ' || coalesce(" ~ format_amount('amount') ~ ", 'no amount')") }}
