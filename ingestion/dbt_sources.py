"""Writes each system's dbt sources YAML (`staging/<system>/_<system>__sources.yml`) from its
registry, so dbt declares exactly the landed tables, each under its landing asset's key.

Run `python -m ingestion.dbt_sources` from the repository root after changing a registry, and
commit the output; `tests/ingestion/test_registry.py` fails while the two disagree.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from ingestion.landing import EXTRACTED_AT, QUARANTINE_TABLE
from ingestion.registry import LandedTable, SystemRegistry, registries

HEADER = "# Generated from the {system} registry by `python -m ingestion.dbt_sources`: edit the registry.\n"


def sources_path(project_dir: Path, system: str) -> Path:
    return project_dir / "models" / "staging" / system / f"_{system}__sources.yml"


def render(registry: SystemRegistry[LandedTable]) -> str:
    """The sources YAML of one system's landed dataset."""
    system = registry.system
    description = textwrap.fill(registry.description, width=92, initial_indent=" " * 6, subsequent_indent=" " * 6)
    lines = [
        HEADER.format(system=system) + "sources:",
        f"  - name: {system}",
        "    description: >",
        description,
        f"    schema: raw_{system}",
        "    loader: dlt",
        "    config:",
        f"      loaded_at_field: {EXTRACTED_AT}",
        "      freshness:",
        "        warn_after: {count: 1, period: day}",
        "        error_after: {count: 3, period: day}",
        "    tables:",
    ]
    for table, table_description in registry.modelled_tables():
        lines += [
            f"      - name: {table}",
            f"        description: {json.dumps(table_description)}",
            "        config:",
            f"          meta: {{dagster: {{asset_key: {json.dumps(registry.asset_key(table))}}}}}",
        ]
        if table == QUARANTINE_TABLE:  # quiet for as long as nothing breaks the contract
            lines.append("          freshness: null")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path("dbt_project"), help="the dbt project")
    args = parser.parse_args()
    for system, registry in registries().items():
        path = sources_path(args.project_dir, system)
        path.write_text(render(registry))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
