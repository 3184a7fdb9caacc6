"""Runs the ingestion pipelines (one dlt pipeline per system, dataset `raw_<system>`) and
summarises each run from what landed: rows new / changed / deleted / quarantined / replayed
per table, deletes the guard withheld, and vendor fields that have disappeared."""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

from core.errors import ConcordError
from core.settings import settings
from core.systems import REGISTRY, SYSTEMS
from core.warehouse import Warehouse
from ingestion import history
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig
from ingestion.http import SourceFatalError
from ingestion.landing import FIELDS_SEEN, HISTORY_SUFFIX, QUARANTINE_TABLE
from ingestion.reconcile import DeleteGuard, WithheldDeletes
from ingestion.registry import registries
from ingestion.replay import QuarantineReplay
from ingestion.source_skeleton import Run

# dlt normalises extracted files in parallel processes; rotating the files every 100k items
# gives a big table (a million time entries) several files to share between the workers.
NORMALIZE_WORKERS = max(1, min(4, os.cpu_count() or 1))
dlt.config["extract.data_writer.file_max_items"] = 100_000
# Pages land as Arrow tables (`ingestion.arrow_pages`); they carry the load id like rows do,
# and a row id, because tombstones (`ingestion.reconcile`) still go through dlt's row path.
dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True
dlt.config["normalize.parquet_normalizer.add_dlt_id"] = True


class _QuietAboutNullColumns(logging.Filter):
    # dlt warns on every load about vendor fields that were null in every row (optional
    # objects such as a time entry's invoice); they materialise when a value arrives.
    def filter(self, record: logging.LogRecord) -> bool:
        return "did not receive any data during this load" not in record.getMessage()


logging.getLogger("dlt").addFilter(_QuietAboutNullColumns())
CONFIG_TYPES = {"salesforce": SalesforceConfig, "harvest": HarvestConfig, "netsuite": NetSuiteConfig}


@dataclass
class TableSummary:
    new: int = 0
    changed: int = 0
    deleted: int = 0
    quarantined: int = 0
    replayed: int = 0  # quarantined records a replay landed
    withheld_deletes: WithheldDeletes | None = None  # a reconciliation that would have deleted too much
    reconciled: bool = False  # its keys were compared with the vendor's in this run
    missing_fields: list[str] = field(default_factory=list)


@dataclass
class SystemSummary:
    system: str
    load_ids: list[str]
    seconds: float
    tables: dict[str, TableSummary] = field(default_factory=dict)


def make_pipeline(system: str, warehouse: Warehouse, pipelines_dir: Path) -> dlt.Pipeline:
    def create() -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=f"concord_{system}_{warehouse.kind}",
            destination=warehouse.destination(),
            dataset_name=REGISTRY[system].raw_schema,
            pipelines_dir=str(pipelines_dir),
        )

    pipeline = create()
    if pipeline.default_schema_name and not _has_dataset(pipeline):
        # The warehouse lost this dataset (a deleted DuckDB file, a recreated database) but
        # the local state still describes its tables, so dlt would not create them again:
        # forget the local state and land from scratch.
        pipeline.drop()
        pipeline = create()
    return pipeline


def _has_dataset(pipeline: dlt.Pipeline) -> bool:
    with pipeline.sql_client() as client:
        return client.has_dataset()


def build_source(system: str, config: Any, run: Run) -> Any:
    module = importlib.import_module(f"ingestion.{system}")
    return module.source(config, run)


def confirmed_tables(names: Collection[str], systems: tuple[str, ...]) -> dict[str, set[str]]:
    """`system.table` names (as `--confirm-deletes` takes them) -> tables per system."""
    confirmed: dict[str, set[str]] = {}
    for name in names:
        system, _, table = name.partition(".")
        known = {t.name for t in registries()[system].tables} if system in registries() else set()
        if table not in known or system not in systems:
            choices = ", ".join(f"{s}.{t.name}" for s in systems for t in registries()[s].tables)
            raise ConcordError(f"--confirm-deletes {name}: not a table this run lands; one of {choices}")
        confirmed.setdefault(system, set()).add(table)
    return confirmed


def ingest(
    systems: tuple[str, ...] = SYSTEMS,
    warehouse: Warehouse | None = None,
    configs: dict[str, Any] | None = None,
    full_refresh: bool = False,
    reconcile_all: bool = False,
    pipelines_dir: Path | None = None,
    on_progress: Callable[[str], None] = lambda message: None,
    max_delete_share: float | None = None,
    confirm_deletes: Collection[str] = (),
    replay_quarantine: bool = False,
) -> list[SystemSummary]:
    """One incremental run per system, in turn (the DuckDB file takes one writer at a time).

    A key reconciliation that would mark more than `max_delete_share` (default: the settings')
    of a table deleted marks none (`ingestion.reconcile.DeleteGuard`) unless the table is in
    `confirm_deletes` (`system.table`; those tables are reconciled in this run whatever their
    cadence). `replay_quarantine`: after the run, land the quarantined records the contract
    now accepts (`ingestion.replay`)."""
    warehouse = warehouse or settings().warehouse
    pipelines_dir = pipelines_dir or settings().pipelines_dir
    max_delete_share = settings().max_delete_share if max_delete_share is None else max_delete_share
    configs = configs or {}
    for system in systems:
        if system not in SYSTEMS:
            raise ConcordError(f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    confirmed = confirmed_tables(confirm_deletes, systems)
    summaries = []
    for system in systems:
        config = configs.get(system) or CONFIG_TYPES[system].resolve()
        pipeline = make_pipeline(system, warehouse, pipelines_dir)
        on_progress(f"{system}: extracting and loading into {warehouse.describe()}")
        FIELDS_SEEN.reset()
        started = time.perf_counter()
        try:
            history.record(pipeline)  # catch up a load whose copy a killed run did not make
            # Land what a killed run extracted but did not load before extracting anew: this
            # run's reconciliation compares the vendor's keys with the warehouse's, which must
            # already hold every record extracted before (dlt's own `run` does the same).
            pending_ids = (
                _normalize_and_load(pipeline, on_progress, system, warehouse) if pipeline.has_pending_data else []
            )
            guard = DeleteGuard(system, max_delete_share, frozenset(confirmed.get(system, ())))
            run = Run(full_refresh=full_refresh, reconcile_all=reconcile_all, guard=guard)
            pipeline.extract(build_source(system, config, run), loader_file_format=warehouse.file_format)
            load_ids = pending_ids + _normalize_and_load(pipeline, on_progress, system, warehouse)
            replay = QuarantineReplay()
            if replay_quarantine:
                load_ids += _replay(pipeline, system, config, warehouse, replay, on_progress)
        except PipelineStepFailed as exc:
            fatal = _fatal_cause(exc)
            if fatal is not None:
                raise ConcordError(str(fatal)) from exc
            raise
        except SourceFatalError as exc:
            raise ConcordError(str(exc)) from exc
        on_progress(f"{system}: summarising")
        summary = SystemSummary(system, load_ids, time.perf_counter() - started)
        summary.tables = summarise(pipeline, system, summary.load_ids)
        for table in guard.reconciled:
            summary.tables.setdefault(table, TableSummary()).reconciled = True
        for table, withheld in guard.withheld.items():
            summary.tables.setdefault(table, TableSummary()).withheld_deletes = withheld
        for table, count in replay.replayed.items():
            summary.tables.setdefault(table, TableSummary()).replayed = count
        summaries.append(summary)
    return summaries


def _replay(
    pipeline: dlt.Pipeline,
    system: str,
    config: Any,
    warehouse: Warehouse,
    replay: QuarantineReplay,
    on_progress: Callable[[str], None],
) -> list[str]:
    """The replay, a load of its own after the incremental one (so what it lands is compared
    with what that run landed), then the removal of what it resolved from the quarantine;
    returns its load ids."""
    on_progress(f"{system}: replaying the quarantine")
    seen = {key: set(fields) for key, fields in FIELDS_SEEN.seen.items()}
    pipeline.extract(build_source(system, config, Run(replay=replay)), loader_file_format=warehouse.file_format)
    FIELDS_SEEN.seen.clear()  # old payloads say nothing of the fields the vendor sends today
    FIELDS_SEEN.seen.update(seen)
    load_ids = _normalize_and_load(pipeline, on_progress, system, warehouse)
    replay.remove_resolved(pipeline)
    return load_ids


def _normalize_and_load(
    pipeline: dlt.Pipeline, on_progress: Callable[[str], None], system: str, warehouse: Warehouse
) -> list[str]:
    """Normalises and loads every extracted package, copies what merged into the histories,
    and returns the load ids."""
    on_progress(f"{system}: normalising")
    pipeline.normalize(workers=NORMALIZE_WORKERS)
    on_progress(f"{system}: loading into {warehouse.describe()}")
    info = pipeline.load()
    history.record(pipeline)
    return list(info.loads_ids) if info else []


def _fatal_cause(exc: BaseException) -> SourceFatalError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SourceFatalError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def summarise(pipeline: dlt.Pipeline, system: str, load_ids: list[str]) -> dict[str, TableSummary]:
    schema = pipeline.default_schema
    tables: dict[str, TableSummary] = {}
    history_tables = [table + HISTORY_SUFFIX for table in history.tracked_tables(schema)]
    if not load_ids:
        return tables
    loads = ", ".join(f"'{load_id}'" for load_id in load_ids)
    with pipeline.sql_client() as client:
        for history_table in history_tables:
            table = history_table[: -len(HISTORY_SUFFIX)]
            key = _primary_key(schema, table)
            if key is None:
                continue
            h = client.make_qualified_table_name(history_table)
            sql = f"""
                WITH this AS (
                    SELECT DISTINCT CAST({key} AS VARCHAR) AS k, _concord_version AS v, _concord_is_deleted AS d
                    FROM {h} WHERE _dlt_load_id IN ({loads})
                ), prior AS (
                    SELECT DISTINCT CAST({key} AS VARCHAR) AS k, _concord_version AS v, _concord_is_deleted AS d
                    FROM {h} WHERE _dlt_load_id NOT IN ({loads})
                )
                SELECT
                    (SELECT COUNT(DISTINCT k) FROM this WHERE NOT d AND k NOT IN (SELECT k FROM prior)),
                    (SELECT COUNT(DISTINCT t.k) FROM this t WHERE NOT t.d AND t.k IN (SELECT k FROM prior)
                        AND NOT EXISTS (SELECT 1 FROM prior p WHERE p.k = t.k AND NOT p.d
                                        AND p.v IS NOT DISTINCT FROM t.v)),
                    (SELECT COUNT(DISTINCT t.k) FROM this t WHERE t.d
                        AND NOT EXISTS (SELECT 1 FROM prior p WHERE p.k = t.k AND p.d))
            """
            new, changed, deleted = client.execute_sql(sql)[0]
            tables[table] = TableSummary(new=new, changed=changed, deleted=deleted)
        if QUARANTINE_TABLE in schema.tables:
            q = client.make_qualified_table_name(QUARANTINE_TABLE)
            for table_name, count in client.execute_sql(
                f"SELECT table_name, COUNT(*) FROM {q} WHERE _dlt_load_id IN ({loads}) GROUP BY table_name"
            ):
                tables.setdefault(
                    schema.naming.normalize_table_identifier(table_name), TableSummary()
                ).quarantined = count
    for (seen_system, table_name), fields in FIELDS_SEEN.seen.items():
        if seen_system != system or not fields:
            continue
        table = schema.naming.normalize_table_identifier(table_name)
        if table not in schema.tables:
            continue
        seen = {schema.naming.normalize_path(f) for f in fields}  # `a__b` columns are paths
        landed = {c for c in schema.get_table_columns(table) if not c.startswith(("_dlt_", "_concord_"))}
        # A column `a__b` is accounted for when `a` came as null (an absent optional object).
        missing = sorted(c for c in landed - seen if not any(p in seen for p in _parents(c)))
        if missing:
            tables.setdefault(table, TableSummary()).missing_fields = missing
    return tables


def _parents(column: str) -> list[str]:
    parts = column.split("__")
    return ["__".join(parts[:i]) for i in range(1, len(parts))]


def _primary_key(schema: Any, table: str) -> str | None:
    if table not in schema.tables:
        return None
    keys = [name for name, column in schema.get_table_columns(table).items() if column.get("primary_key")]
    return keys[0] if len(keys) == 1 else None
