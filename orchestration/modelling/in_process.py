"""dbt run in the step's own process with dbt's programmatic runner (`dbtRunner`), for the dbt
assets: the project is parsed once per process and warehouse, and each step hands dbt the parsed
manifest and its selection, so a step costs what its models and tests cost.

Why not dagster-dbt's `DbtCliResource.cli`: it starts a dbt process per step (the imports and a
parse of the project, seconds each time), and a step selecting more than 200 nodes copies the
whole project folder, its `target/` included, to a temporary folder it never removes, so each
step grew slower as the runs' artifacts piled up. dagster-dbt still does the rest: which nodes a
step selects (`get_subset_selection_for_context`) and the Dagster events of each dbt result
(`DbtCoreCliEventMessage.to_default_asset_events`); dbt's events reach it in the form of dbt's
JSON log lines (`msg_to_dict`), the form it reads from the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_SELECTOR_METADATA_KEY,
    get_manifest_and_translator_from_dbt_assets,
    get_subset_selection_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from core.dbt import PARTIAL_PARSE, PROJECT_DIR, seed_partial_parse
from core.errors import ConcordError

_DONE = object()
_parsed: dict[tuple[str, str], Any] = {}  # (profile environment, --vars) -> dbt's parsed Manifest
_one_at_a_time = threading.Lock()  # dbt's runner keeps global state: one invocation at a time


def _project_args(target_dir: Path) -> list[str]:
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target-path", str(target_dir)]


@contextmanager
def _scratch_target(saved_parse: Path | None = None) -> Iterator[Path]:
    """A target folder of the invocation's own, removed after it (dbt writes its run results and
    compiled SQL there; nothing reads them after the step), starting from a saved parse."""
    target = Path(tempfile.mkdtemp(prefix="concord-dbt-"))
    try:
        if saved_parse is not None and saved_parse.exists():
            shutil.copyfile(saved_parse, target / PARTIAL_PARSE.name)
        else:
            seed_partial_parse(target)
        yield target
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _saved_parse(profile_env: Mapping[str, str]) -> Path | None:
    """Where dbt's saved parse for a DuckDB warehouse is kept, beside its file: dbt re-parses the
    whole project when the profile differs from the saved parse's (another file is another
    profile), so the project's own saved parse serves only the warehouse it was made with."""
    if profile_env.get("CONCORD_WAREHOUSE") != "duckdb":
        return None
    return Path(profile_env["CONCORD_DUCKDB_PATH"] + ".dbt-parse.msgpack")


def _until_done(events: queue.Queue[Any]) -> Iterator[Any]:
    """The queue's events until dbt is done; waiting a second at a time, so that an interrupt
    (the run's time limit, `concord run`'s watchdog) reaches this thread while dbt works."""
    while True:
        try:
            raw = events.get(timeout=1)
        except queue.Empty:
            continue
        if raw is _DONE:
            return
        yield raw


def _close_duckdb() -> None:
    """dbt-duckdb keeps the database open in the process after an invocation, for the next one;
    closed, so that this process's own connections (opened with another configuration, which
    DuckDB refuses while one is open) and other processes, readers, can open the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def parsed_manifest(profile_env: Mapping[str, str], dbt_vars: Mapping[str, Any]) -> Any:
    """dbt's parse of the project for this warehouse and these vars, once per process (the
    relations' database names come from the profile, and vars can change what is enabled)."""
    from dbt.cli.main import dbtRunner

    key = (json.dumps(dict(profile_env), sort_keys=True), json.dumps(dict(dbt_vars), sort_keys=True))
    if key not in _parsed:
        saved = _saved_parse(profile_env) if not dbt_vars else None
        with _scratch_target(saved) as target:
            args = ["parse", "--quiet", "--no-write-json", *_project_args(target)]
            if dbt_vars:
                args += ["--vars", json.dumps(dict(dbt_vars))]
            result = dbtRunner().invoke(args)
            if result.success and saved is not None and (target / PARTIAL_PARSE.name).exists():
                with contextlib.suppress(OSError):  # a cache: a warehouse folder we cannot write is no error
                    os.replace(target / PARTIAL_PARSE.name, saved)
        if not result.success:
            raise ConcordError(f"dbt could not parse {PROJECT_DIR}: {result.exception or 'see its log'}")
        _parsed[key] = result.result
    return _parsed[key]


def stream_build(
    context: dg.AssetExecutionContext,
    args: Sequence[str],
    profile_env: Mapping[str, str],
    dbt_vars: Mapping[str, Any],
) -> Iterator[Any]:
    """`dbt <args>` on what the step selects, yielding the Dagster events of its results as dbt
    reports them (outputs of models and seeds, check results of tests); a failed invocation
    (a model's error, an error-severity test) fails the step after every result is reported."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest_json, translator, project = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    selection, indirect_selection = get_subset_selection_for_context(
        context=context,
        manifest=manifest_json,
        select=context.op_execution_context.op.tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=context.op_execution_context.op.tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY),
        selector=context.op_execution_context.op.tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=None,
    )
    events: queue.Queue[Any] = queue.Queue()
    outcome: dict[str, Any] = {}

    def on_event(message: Any) -> None:  # what dbt's CLI prints: its debug events are many and unused
        if message.info.level in ("info", "warn", "error"):
            events.put(msg_to_dict(message))

    # The profile (dbt_project/profiles.yml) reads the warehouse from the environment.
    os.environ.update({**profile_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    with _one_at_a_time, _scratch_target() as target:
        manifest = parsed_manifest(profile_env, dbt_vars)
        invocation = [*args, *selection, *_project_args(target)]
        if indirect_selection:
            invocation += ["--indirect-selection", indirect_selection]
        if dbt_vars:
            invocation += ["--vars", json.dumps(dict(dbt_vars))]
        context.log.info(f"dbt {' '.join(args)} (in process) {' '.join(selection)[:300]}")

        def invoke() -> None:
            try:
                outcome["result"] = dbtRunner(manifest=manifest, callbacks=[on_event]).invoke(invocation)
            except BaseException as exc:  # handed to the step's thread
                outcome["error"] = exc
            finally:
                events.put(_DONE)

        worker = threading.Thread(target=invoke, name="dbt", daemon=True)
        worker.start()
        errors: list[str] = []
        for raw in _until_done(events):
            info = raw.get("info", {})  # dbt prints its own log lines (to the run's log)
            if info.get("level") == "error" and info.get("msg"):
                errors.append(info["msg"])
            event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
            yield from event.to_default_asset_events(
                manifest=manifest_json,
                dagster_dbt_translator=translator,
                context=context,
                target_path=target,
                project=project,
            )
        worker.join()
        _close_duckdb()
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    if not result.success:
        detail = "\n".join(errors[-10:]) or str(result.exception or "see the step's log")
        raise dg.Failure(description=f"dbt {args[0]} failed:\n{detail}")
