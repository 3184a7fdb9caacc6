"""`concord doctor`: is each configured system ready for Concord, before the first run?

For every system it checks, in order, and stops a system's checks at the first one that makes
the rest meaningless (no settings, host unreachable, login refused): its settings, that the
host answers, that the login works (and with which flow), the API version, that the
integration user can read every table Concord lands (and every custom field the model reads),
that every field the ownership file sends the system exists and is writable (as far as the
vendor's metadata says without writing), the vendor specifics (NetSuite's user time zone), and
the limits the vendor reported. It writes nothing to any system.

Each check is a `Finding`: what was checked, whether it holds, and what was seen or what to
fix. No credential or account identifier is ever printed. One module per vendor (`salesforce.py`, `harvest.py`, `netsuite.py`) knows how.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from core.errors import ConcordError
from core.systems import SYSTEMS


@dataclass(frozen=True)
class Finding:
    system: str
    check: str
    ok: bool
    detail: str  # what was seen when it holds; what to fix when it does not


class Stop(Exception):
    """A failed check after which a system's other checks cannot run."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
        self.finding = finding


Checks = Callable[[], Iterator[Finding]]


def _checkers() -> dict[str, Checks]:
    from concord.doctor import harvest, netsuite, salesforce

    return {"salesforce": salesforce.checks, "harvest": harvest.checks, "netsuite": netsuite.checks}


def diagnose(systems: tuple[str, ...] = SYSTEMS) -> Iterator[Finding]:
    """Every finding for `systems`, as each check completes."""
    checkers = _checkers()
    for system in systems:
        try:
            yield from checkers[system]()
        except Stop as stop:
            yield stop.finding
        except ConcordError as exc:  # a setting missing or malformed
            yield Finding(system, "settings", False, str(exc))
