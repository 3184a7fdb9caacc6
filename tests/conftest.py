"""Fixtures shared by every test: sandbox stores and in-process sandbox servers on free ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.store import Store


@pytest.fixture
def sandbox_store(tmp_path: Path) -> Iterator[Store]:
    """An empty sandbox store (all tables created) in a temporary directory."""
    store = Store(tmp_path / "sandbox").create()
    yield store
    store.close()


StartSandboxes = Callable[..., SandboxCluster]


@pytest.fixture
def start_sandboxes(tmp_path: Path) -> Iterator[StartSandboxes]:
    """Starts sandbox servers on free loopback ports; stopped when the test ends.

    `start_sandboxes(systems=("harvest",), store_dir=..., tls=True, faults={...}, harvest=HarvestSettings(...))`
    Keyword arguments replace fields of SandboxSettings; `store_dir` defaults to the test's
    `tmp_path/sandbox` (the same directory `sandbox_store` uses, so data put there is served).
    """
    clusters: list[SandboxCluster] = []

    def start(systems: tuple[str, ...] = SYSTEMS, **overrides: object) -> SandboxCluster:
        settings = SandboxSettings(store_dir=tmp_path / "sandbox", ports={s: 0 for s in SYSTEMS})
        if "faults" in overrides:
            overrides["faults"] = {**settings.faults, **overrides["faults"]}  # type: ignore[dict-item]
        settings = replace(settings, **overrides)
        cluster = SandboxCluster(settings=settings, systems=systems).start()
        clusters.append(cluster)
        return cluster

    yield start
    for cluster in clusters:
        cluster.stop()
