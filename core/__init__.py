"""The shared core every layer of Concord stands on: the warehouse, the systems registry,
settings and errors. It imports no layer (ingestion, dbt runner, reverse ETL, orchestration,
CLI); every layer may import it."""
