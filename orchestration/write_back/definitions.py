"""The write-back concern's definitions."""

import dagster as dg

from orchestration.write_back.assets import write_back_assets

defs = dg.Definitions(assets=write_back_assets())
