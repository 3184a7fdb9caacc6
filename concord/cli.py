"""The `concord` command: one CLI whose subcommands are the concerns of the platform."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from concord import sandbox_cli, sync_cli
from concord.build_cli import build_command
from concord.errors import ConcordError
from concord.ingest_cli import ingest_command
from sandboxes.store import DEFAULT_STORE_DIR

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
    """Start the sandboxes on the demo firm and show what each system holds."""
    from concord.demo import run_demo

    run_demo(store_dir, seed=seed, fresh=fresh)


def app() -> None:
    """Console-script entry point: known problems become one line on stderr, exit code 2."""
    try:
        cli()
    except ConcordError as exc:
        print(f"concord: {exc}", file=sys.stderr)
        sys.exit(2)
