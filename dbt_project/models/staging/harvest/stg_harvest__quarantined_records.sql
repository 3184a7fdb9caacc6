{#- The harvest records quarantined on landing (see macros/staging/quarantine.sql). -#}

{{ staging_quarantined_records('harvest') }}
