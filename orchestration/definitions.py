"""Dagster entry point (loaded by `workspace.yaml`): assembles the definitions of each
concern - landing (dlt), modelling (dbt), write-back (reverse ETL) and automation - and the
resources they share."""

import dagster as dg

from orchestration.automation.definitions import defs as automation
from orchestration.landing.definitions import defs as landing
from orchestration.modelling.definitions import defs as modelling
from orchestration.modelling.project import dbt_resource
from orchestration.settings import ConcordSettings
from orchestration.write_back.definitions import defs as write_back

resources = dg.Definitions(resources={"concord": ConcordSettings(), "dbt": dbt_resource()})
defs = dg.Definitions.merge(landing, modelling, write_back, automation, resources)
