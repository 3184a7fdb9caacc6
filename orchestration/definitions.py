"""Dagster entry point (loaded by `workspace.yaml`): assembles the definitions of each
concern. The sandboxes issue only sets up the project; ingestion, dbt and reverse-ETL
assets are added here as they land."""

import dagster as dg

defs = dg.Definitions()
