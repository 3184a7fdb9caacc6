"""The dbt project as Dagster sees it: its manifest (parsed when missing or older than the
project's files) and the translator from dbt metadata to asset keys and groups. The dbt target
is the warehouse of Concord's settings, as everywhere else."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from core.dbt import PARTIAL_PARSE, PROJECT_DIR, run_dbt
from core.errors import ConcordError
from core.settings import settings

MANIFEST = PROJECT_DIR / "target" / "manifest.json"
PROJECT_FILES = ("models", "macros", "seeds", "tests", "dbt_project.yml", "selectors.yml")


def _newest_project_change() -> float:
    newest = 0.0
    for name in PROJECT_FILES:
        path = PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


@cache
def manifest_path() -> Path:
    """dbt's manifest of the project, parsed first if any project file is newer than it.
    Parsing goes to a private target folder and the manifest is moved into place whole, so two
    processes loading the definitions at once never read a half-written one; the saved parse
    beside it lets every later dbt run (each in a target folder of its own) skip the full parse."""
    if MANIFEST.exists() and PARTIAL_PARSE.exists() and MANIFEST.stat().st_mtime >= _newest_project_change():
        return MANIFEST
    scratch = Path(tempfile.mkdtemp(prefix="concord-dbt-parse-"))
    try:
        # Parsing reads the profile but does not connect: the warehouse need not exist yet.
        result = run_dbt(["parse", "--quiet"], settings().warehouse, target_dir=scratch, require_warehouse=False)
        if not result.ok:
            raise ConcordError(f"dbt could not parse {PROJECT_DIR}:\n{result.output.strip()}")
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch / PARTIAL_PARSE.name, PARTIAL_PARSE)
        os.replace(scratch / "manifest.json", MANIFEST)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return MANIFEST


@cache
def manifest() -> dict[str, Any]:
    """The parsed manifest, read once per process (the landing and write-back assets both
    derive their specs from it)."""
    return json.loads(manifest_path().read_text())


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=Path("target"))


class ConcordTranslator(DagsterDbtTranslator):
    """Asset keys and groups from dbt's own metadata: a model's key is its layer (the first
    folder under `models/`) and its name; its group is the layer and, for staging and marts,
    the system or domain folder. Sources carry their landing asset's key in
    `meta.dagster.asset_key` (`["raw", system, table]`); owners come from `meta.dagster.owners`."""

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_code_references=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "model":
            return dg.AssetKey([_layer(dbt_resource_props), dbt_resource_props["name"]])
        if resource_type == "seed":
            return dg.AssetKey(["governance", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "governance"
        if resource_type != "model":
            return super().get_group_name(dbt_resource_props)
        fqn = dbt_resource_props["fqn"]
        layer = _layer(dbt_resource_props)
        if layer in ("staging", "marts") and len(fqn) > 3:
            return f"{layer}_{fqn[2]}"
        return layer


def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
    fqn = dbt_resource_props["fqn"]  # ["concord", "<layer>", ..., "<name>"]
    return fqn[1] if len(fqn) > 2 else "models"
