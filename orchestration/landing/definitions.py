"""The landing concern's definitions."""

import dagster as dg

from orchestration.landing.assets import landing_assets

defs = dg.Definitions(assets=landing_assets())
