"""Each system's registry is the one list of the tables it lands: the dbt sources YAML is
generated from it and declares each table under its landing asset's key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ingestion.dbt_sources import render, sources_path
from ingestion.registry import registries

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SYSTEMS = sorted(registries())


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_dbt_sources_declare_exactly_the_registry_tables_under_their_landing_asset_keys(system: str) -> None:
    registry = registries()[system]
    [source] = yaml.safe_load(sources_path(PROJECT_DIR, system).read_text())["sources"]
    declared = {table["name"]: table["config"]["meta"]["dagster"]["asset_key"] for table in source["tables"]}

    assert source["schema"] == f"raw_{system}"
    assert declared == {table: registry.asset_key(table) for table, _ in registry.modelled_tables()}


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_dbt_sources_yaml_is_the_one_generated_from_the_registry(system: str) -> None:
    committed = sources_path(PROJECT_DIR, system).read_text()
    assert committed == render(registries()[system]), "run `python -m ingestion.dbt_sources` and commit the output"


def test_every_salesforce_custom_field_the_staging_models_read_is_declared_in_the_registry() -> None:
    """The registry's custom fields are what an administrator creates and `concord doctor`
    checks: a staging model reading one the registry does not declare would fail on a real org."""
    from dlt.common.normalizers.naming.snake_case import NamingConvention

    from ingestion.salesforce.objects import REGISTRY

    naming = NamingConvention()
    # named as `ingestion.arrow_pages` names columns (`Tax_ID__c` -> `tax_id__c`)
    declared = {naming.normalize_path(f) for table in REGISTRY.tables for f in table.custom_fields}
    sql = [p.read_text() for p in (PROJECT_DIR / "models" / "staging" / "salesforce").glob("*.sql")]
    sql += [(PROJECT_DIR / "macros" / "staging" / "salesforce.sql").read_text()]
    read = {token for text in sql for token in re.findall(r"\b[a-z0-9_]+__c\b", text)}

    assert read, "the staging models read no custom field: the pattern is wrong"
    assert read <= declared, f"read but not declared: {sorted(read - declared)}"
