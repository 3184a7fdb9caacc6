"""dbt assets: the canonical model, its checks and the sync models."""
