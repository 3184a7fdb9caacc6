"""The dbt concern's definitions."""

import dagster as dg

from orchestration.modelling.assets import dbt_models, matching_customers

defs = dg.Definitions(assets=[dbt_models, matching_customers])
