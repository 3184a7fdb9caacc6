"""Fixtures shared by every test: sandbox stores, in-process sandbox servers on free ports, and
warehouses (a DuckDB file, or a fresh PostgreSQL database that is dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg2
import pytest
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.store import Store

from core.settings import settings
from core.warehouse import Warehouse
from tests.firm import LandedFirm, built_copy, land_firm


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


POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database, empty or a copy of the database named `template` (which
    nobody may be connected to); dropped on exit."""
    name = f"concord_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"  # no password, as with trust auth
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test; dropped when it ends."""
    with postgres_database() as dsn:
        yield dsn


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    """Each test using it runs once on DuckDB and once on PostgreSQL."""
    if request.param == "duckdb":
        return Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    return Warehouse(kind="postgres", postgres_dsn=request.getfixturevalue("postgres_dsn"))


# -- the demo firm (seed 42), landed once per test session, on DuckDB and PostgreSQL, and built


@pytest.fixture(scope="session")
def landed_demo_firm(tmp_path_factory: pytest.TempPathFactory) -> LandedFirm:
    """The demo firm landed in a DuckDB file (not built: copy it before building)."""
    root = tmp_path_factory.mktemp("demo_firm")
    return land_firm(root, Warehouse(kind="duckdb", duckdb_path=root / "landed.duckdb"))


@pytest.fixture(scope="session")
def built_demo_firm(landed_demo_firm: LandedFirm, tmp_path_factory: pytest.TempPathFactory) -> LandedFirm:
    """The demo firm landed and built once (`dbt build`) on DuckDB; read it, do not change it."""
    root = tmp_path_factory.mktemp("built")
    return built_copy(landed_demo_firm, root)


@pytest.fixture(scope="session")
def postgres_demo_firm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LandedFirm]:
    """The demo firm landed in a fresh PostgreSQL database (dropped at the end of the session)."""
    root = tmp_path_factory.mktemp("demo_firm_postgres")
    with postgres_database() as dsn:
        yield land_firm(root, Warehouse(kind="postgres", postgres_dsn=dsn))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked `minutes(n)` run first, longest first: handed out last, one of them would
    keep a worker busy for minutes after the other has finished everything else."""

    def minutes(item: pytest.Item) -> float:
        marker = item.get_closest_marker("minutes")
        return marker.args[0] if marker else 0

    items.sort(key=minutes, reverse=True)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Concord reads its settings once per process; a test that sets the environment gets
    them read again, and leaves none behind."""
    settings.cache_clear()
    yield
    settings.cache_clear()
