"""`concord doctor`: one line per check of each configured system, with what to fix."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from core.systems import SYSTEMS
from core.systems import system as system_named

console = Console(file=sys.stdout)


def doctor_command(
    system: list[str] = typer.Option([], "--system", "-s", help="Check only these systems (default: all three)."),
) -> None:
    """Check that each system is reachable, the login works, and the integration user can read
    what Concord lands and write what the ownership file sends it. Writes nothing."""
    from concord.doctor import diagnose

    systems = tuple(system_named(s).name for s in system) or SYSTEMS
    failed = 0
    for finding in diagnose(systems):
        mark = "[green]ok  [/green]" if finding.ok else "[red]FAIL[/red]"
        console.print(
            f"{mark} {finding.system:<10} {finding.check:<28} {finding.detail}", highlight=False, soft_wrap=True
        )
        failed += not finding.ok
    if failed:
        console.print(
            f"\n{failed} check{'s' if failed != 1 else ''} failed: fix what each FAIL line says, then run again."
        )
        raise typer.Exit(2)
    console.print("\nEverything Concord needs is in place.")
