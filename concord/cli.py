"""The `concord` command: one CLI whose subcommands are the concerns of the platform."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from concord import sandbox_cli, sync_cli
from concord.build_cli import build_command
from concord.errors import ConcordError
from concord.ingest_cli import ingest_command
from sandboxes.store import DEFAULT_STORE_DIR

console = Console(file=sys.stdout)  # bound now: a run sends stdout to its log file
cli = typer.Typer(
    help="Concord keeps a firm's CRM, PSA and ERP consistent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cli.add_typer(sandbox_cli.app, name="sandbox")
cli.command(name="ingest")(ingest_command)
cli.command(name="build")(build_command)
cli.add_typer(sync_cli.app, name="sync")


@cli.command()
def demo(
    seed: int = typer.Option(42, help="Seed of the demo firm."),
    fresh: bool = typer.Option(False, "--fresh", help="Regenerate the demo firm."),
    store_dir: Path = typer.Option(DEFAULT_STORE_DIR, "--store", help="Sandbox store directory."),
) -> None:
    """Serve the demo firm, run the loop twice through Dagster and summarise what it did."""
    from concord.demo import run_demo

    run_demo(store_dir, seed=seed, fresh=fresh)


@cli.command()
def run(
    nightly: bool = typer.Option(False, "--nightly", help="The thorough run: every check, deletes reconciled."),
) -> None:
    """Run one cycle of the loop (land, build, check, write back) against the configured systems."""
    from concord.cycles import run_cycle
    from concord.run_report import print_cycle

    with console.status("starting…") as status:
        cycle = run_cycle(
            "concord_nightly" if nightly else "concord_loop", on_progress=lambda step: status.update(f"{step}…")
        )
    print_cycle(cycle)
    if not cycle.success:
        raise ConcordError(f"the run failed: {cycle.failure}")


@cli.command()
def status() -> None:
    """Freshness of each system, open exceptions, held writes and the latest alerts."""
    from concord.status import show_status
    from ingestion.config import Warehouse

    show_status(Warehouse.from_env())


@cli.command()
def dev(
    size: str = typer.Option("demo", help="test | demo | bench"),
    seed: int = typer.Option(42, help="Seed of the firm."),
    tick_seconds: float = typer.Option(120.0, "--tick-seconds", help="Real seconds per simulated day."),
    loop_cron: str = typer.Option("*/15 * * * *", "--loop-cron", help="When the loop runs."),
    port: int = typer.Option(3000, help="Port of the Dagster UI."),
    store_dir: Path = typer.Option(DEFAULT_STORE_DIR, "--store", help="Sandbox store directory."),
) -> None:
    """Serve the sandboxes, tick the firm forward and run `dagster dev` with the loop scheduled."""
    from concord.dev import run_dev

    run_dev(store_dir, size, seed, tick_seconds, loop_cron, port)


def app() -> None:
    """Console-script entry point: known problems become one line on stderr, exit code 2."""
    try:
        cli()
    except ConcordError as exc:
        print(f"concord: {exc}", file=sys.stderr)
        sys.exit(2)
