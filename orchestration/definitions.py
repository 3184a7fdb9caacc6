"""Dagster entry point (loaded by `workspace.yaml`): assembles the definitions of each
concern - landing (dlt), modelling (dbt), write-back (reverse ETL) and automation - and the
resources they share."""

import dagster as dg

from orchestration.automation import definitions as automation
from orchestration.landing import definitions as landing
from orchestration.modelling import definitions as modelling
from orchestration.settings import ConcordSettings
from orchestration.write_back import definitions as write_back

defs = dg.Definitions.merge(
    landing.defs,
    modelling.defs,
    write_back.defs,
    automation.defs,
    dg.Definitions(resources={"concord": ConcordSettings()}),
)
