"""The transformation layer's Python: the build of the dbt project (`transform.build`) and the
customer matching that runs inside it (`transform.matching`, Splink), between the customer
records and the canonical customers."""
