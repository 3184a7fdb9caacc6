"""The `concord` command: one CLI whose subcommands are the concerns of the platform."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer
from rich.console import Console

from concord import sync_cli
from concord.build_cli import build_command
from concord.doctor_cli import doctor_command
from concord.ingest_cli import ingest_command
from core.errors import ConcordError

console = Console(file=sys.stdout)  # bound now: a run sends stdout to its log file
cli = typer.Typer(
    help="Concord keeps a firm's CRM, PSA and ERP consistent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cli.command(name="ingest")(ingest_command)
cli.command(name="build")(build_command)
cli.command(name="doctor")(doctor_command)
cli.add_typer(sync_cli.app, name="sync")


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
    from core.settings import settings

    show_status(settings().warehouse)


def add_plugin_commands(typer_app: typer.Typer) -> None:
    """Commands other installed packages offer under `concord` (entry points of the group
    `concord.commands`): the development package `concord-sandboxes` adds `sandbox`, `demo`
    and `dev`. A command is either a Typer app (a group of subcommands) or a function."""
    for entry in entry_points(group="concord.commands"):
        command = entry.load()
        if isinstance(command, typer.Typer):
            typer_app.add_typer(command, name=entry.name)
        else:
            typer_app.command(name=entry.name)(command)


add_plugin_commands(cli)


def app() -> None:
    """Console-script entry point: known problems become one line on stderr, exit code 2."""
    try:
        cli()
    except ConcordError as exc:
        print(f"concord: {exc}", file=sys.stderr)
        sys.exit(2)
