"""`concord sync`: the write-back. `plan` is the dry run (what would be written, and what
waits or is held, per sync); `run` writes; `held` lists what waits for a person, who
`release`s rows (write them on the next run) or `drop`s them (leave the target as it is), by id
and/or by filter (`--sync`, `--reason`)."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from reverse_etl.engine import Plan
    from reverse_etl.ledger import Hold

app = typer.Typer(help="Write each system's authoritative values back to the systems that don't own them.")
console = Console()


def _warehouse():  # type: ignore[no-untyped-def]
    from core.settings import settings

    return settings().warehouse


HOLD_IDS = typer.Argument(
    None, metavar="ID", help="Held rows' ids (`concord sync held` lists them).", show_default=False
)
ONLY_SYNC = typer.Option(None, "--sync", metavar="NAME", help="Only rows held in this sync, e.g. netsuite__customers.")
REASON = typer.Option(
    None, "--reason", metavar="TEXT", help="Only rows whose reason contains this text, e.g. refused, conflict."
)


@app.command("plan")
def plan_command(
    sync: list[str] = typer.Option(None, "--sync", help="Only this sync (repeatable), e.g. netsuite__customers."),
    show: int = typer.Option(10, "--show", help="Writes to list per sync."),
) -> None:
    """Dry run: what a run would write now. Changes nothing anywhere."""
    from reverse_etl.engine import plan

    print_plan(plan(_warehouse(), sync or None), show)


@app.command("run")
def run_command(
    sync: list[str] = typer.Option(None, "--sync", help="Only this sync (repeatable)."),
) -> None:
    """Write what the plan says, parents first; every attempt goes to the ledger."""
    from core.settings import settings
    from reverse_etl.engine import execute
    from reverse_etl.targets import configured_targets

    with console.status("Writing…") as status:
        results = execute(
            _warehouse(),
            configured_targets(),
            sync or None,
            on_progress=status.update,
            retry_cap=settings().write_back_retry_cap,
        )
    table = Table(title="Write-back")
    for column in ("sync", "written", "created", "failed", "held", "waiting for parent", "unchanged"):
        table.add_column(column, justify="left" if column == "sync" else "right")
    for r in results:
        counts = (r.written, r.created, r.failed, r.held, r.waiting_for_parent, r.unchanged)
        table.add_row(r.sync.name, *(f"{n:,}" for n in counts))
    console.print(table)
    for r in results:
        if r.fatal:
            console.print(f"[red]{r.sync.name} stopped: {r.fatal}[/red]")
        if r.outage is not None:
            console.print(
                f"[yellow]{r.sync.name}: only transient failures since {r.outage.since:%Y-%m-%d %H:%M} UTC "
                f"(the vendor is down or busy); retried on later runs, never held[/yellow]"
            )
        if r.confirmed or r.lost:
            console.print(
                f"{r.sync.name}: {r.confirmed:,} writes of a killed run found in the target, {r.lost:,} not (written again)"
            )


@app.command("held")
def held_command() -> None:
    """Rows held for a person: conflicts, refused values, repeated failures."""
    from reverse_etl.ledger import Ledger

    with Ledger(_warehouse()) as ledger:
        holds = ledger.holds()
    if not holds:
        console.print("Nothing is held.")
        return
    table = Table(title=f"{len(holds)} held")
    for column in ("id", "sync", "record", "golden id", "held at", "reason"):
        table.add_column(column)
    for h in holds:
        table.add_row(h.hold_id, h.sync, h.sync_key, h.golden_id or "", f"{h.held_at:%Y-%m-%d %H:%M}", h.reason)
    console.print(table)


@app.command("release")
def release_command(hold_ids: list[str] = HOLD_IDS, sync: str = ONLY_SYNC, reason: str = REASON) -> None:
    """Write the held rows on the next run (the authority's values win): by id and/or filter."""
    released = _decide("released", hold_ids, sync, reason)
    console.print(f"Released {_counted(released)}: the next `concord sync run` writes them.")


@app.command("drop")
def drop_command(hold_ids: list[str] = HOLD_IDS, sync: str = ONLY_SYNC, reason: str = REASON) -> None:
    """Leave the targets as they are for the held rows (until the authority's value changes again)."""
    dropped = _decide("dropped", hold_ids, sync, reason)
    console.print(f"Dropped {_counted(dropped)}: the targets keep their values.")


def _decide(decision: str, hold_ids: list[str] | None, sync: str | None, reason: str | None) -> list[Hold]:
    from reverse_etl.engine import decide

    return decide(_warehouse(), decision, hold_ids or [], getpass.getuser(), sync=sync, reason=reason)


def _counted(holds: list[Hold]) -> str:
    """`3 held rows (harvest__customers 2, netsuite__customers 1)`."""
    per_sync: dict[str, int] = {}
    for h in holds:
        per_sync[h.sync] = per_sync.get(h.sync, 0) + 1
    rows = "row" if len(holds) == 1 else "rows"
    return f"{len(holds)} held {rows} ({', '.join(f'{name} {n}' for name, n in sorted(per_sync.items()))})"


def print_plan(plan: Plan, show: int) -> None:
    table = Table(title=f"Write-back plan: {plan.writes:,} writes (dry run, nothing written)")
    for column in ("sync", "create", "update", "hold", "held", "waiting to land", "waiting for parent", "retry later"):
        table.add_column(column, justify="left" if column == "sync" else "right")
    for s in plan.syncs:
        if s.missing_model:
            table.add_row(s.sync.name, "-", "-", "-", "-", "-", "-", "no model: run `concord build`")
            continue
        table.add_row(
            s.sync.name,
            f"{s.creates:,}",
            f"{s.updates:,}",
            f"{len(s.to_hold):,}",
            f"{s.held:,}",
            f"{s.waiting_to_land:,}",
            f"{s.waiting_for_parent:,}",
            f"{s.waiting_to_retry:,}",
        )
    console.print(table)
    for s in plan.syncs:
        for w in s.writes[:show]:
            changes = ", ".join(f"{f}: {w.current.get(f)!r} -> {v!r}" for f, v in w.desired.items())
            console.print(f"  {s.sync.name} {w.operation} {w.target_record_id or w.external_id}: {changes}")
        for w, reason in s.to_hold[:show]:
            console.print(f"  {s.sync.name} HOLD {w.target_record_id or w.sync_key}: {reason}")
