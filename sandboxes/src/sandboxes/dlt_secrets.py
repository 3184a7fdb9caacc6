"""Writes where the running sandboxes are into dlt's `.dlt/secrets.toml`, the file an
administrator fills in for real vendors, so `concord ingest`, `concord run`… in another
terminal find them with no configuration of their own.

A secrets file someone wrote by hand (one without this module's first line) is never
touched: it may hold a real vendor's credentials. Then the values are printed instead, to
export as environment variables.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

MARKER = "# Written by `concord sandbox up`: the local sandboxes, not a real vendor. Safe to delete."


def is_sandbox_written(path: Path) -> bool:
    return path.exists() and path.read_text().startswith(MARKER)


def write(path: Path, source_settings: dict[str, dict[str, str]]) -> bool:
    """Writes the sandboxes' `sources.*` values to `path`; False if `path` is someone else's."""
    if path.exists() and not is_sandbox_written(path):
        return False
    document = tomlkit.document()
    sources = tomlkit.table(is_super_table=True)
    for system, values in source_settings.items():
        sources[system] = values  # tomlkit quotes and escapes each value (a PEM, a path on Windows)
    document["sources"] = sources
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{MARKER}\n\n{tomlkit.dumps(document)}")
    path.chmod(0o600)
    return True
