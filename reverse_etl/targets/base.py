"""What the write-back engine hands a target system and what it gets back.

A target (one per vendor: `salesforce.py`, `harvest.py`, `netsuite.py`) turns canonical
writes into the vendor's API calls: it maps canonical field names (the ownership file's) to
the vendor's fields and values, batches within the vendor's limits, retries what is transient
(429 honouring `Retry-After`, 5xx, timeouts, dropped connections) with backoff, and makes
creates idempotent (an external-id upsert where the vendor has one, a check before creating
where it does not), so a write retried after a timeout, or a run killed mid-batch and re-run,
never creates a second record. It reports one Outcome per Write, in input order, and never
raises for a failure of one row.

`confirm` reads records back: whether the vendor holds what a write sent (how the engine
settles a write a killed run left `in_flight`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Operation = Literal["create", "update"]

# Why a write failed, in the ledger's words.
ERROR_CATEGORIES = ("validation", "auth", "rate_limit", "conflict", "not_found", "server", "network")
# The vendor is down or busy, not refusing anything: retried for as long as it lasts, never
# held for a person.
TRANSIENT_CATEGORIES = frozenset({"rate_limit", "server", "network"})


class TargetFatalError(Exception):
    """A failure no row can get past (refused credentials, an exhausted daily API allowance);
    the message says what to fix."""


class TargetUnavailableError(Exception):
    """The vendor could not be reached, or answered a transient failure (429, 5xx), for a
    request every row needs (a login, a listing to check before creating), after its retries:
    nothing is written this run, and the rows are retried later like any transient failure."""

    def __init__(self, message: str, category: str = "network") -> None:
        super().__init__(message)
        self.category = category


@dataclass(frozen=True)
class Write:
    """One record to create or update in the target."""

    sync_key: str  # the row's identity in its sync (stable across runs)
    operation: Operation
    target_record_id: str | None  # the target's id of the record (updates); None for creates
    external_id: str | None  # the idempotency key of a create (e.g. the golden id)
    values: Mapping[str, str | None]  # canonical field -> desired value, as text (the sync model's)


@dataclass(frozen=True)
class Outcome:
    """What happened to one Write."""

    sync_key: str
    ok: bool
    target_record_id: str | None = None  # the record written (the created record's new id)
    http_status: int | None = None  # of the last attempt
    error_category: str | None = None  # one of ERROR_CATEGORIES when not ok
    message: str | None = None  # the vendor's own error message (trimmed to 500 characters)
    correlation_id: str = ""  # the id sent with the request (and the vendor's, if it returns one)
    attempts: int = 1  # HTTP attempts spent on this row, retries included
    created: bool = False  # a create (or an upsert) made a new record
    extra: Mapping[str, str] = field(default_factory=dict)  # target-specific facts worth keeping


@dataclass(frozen=True)
class ReadBack:
    """What a target holds for one Write, read back."""

    holds: bool  # the record exists and holds every value the Write sent
    target_record_id: str | None = None  # the record found (a create's id)


class Target(Protocol):
    """A system Concord writes to."""

    system: str

    def writable_fields(self) -> Mapping[str, frozenset[str]]:
        """Per canonical entity, the canonical fields this target can write."""
        ...

    def write(self, entity: str, writes: Sequence[Write]) -> list[Outcome]:
        """Applies the writes (batched, rate-limited, retried); one Outcome per Write, in order.
        Raises TargetFatalError only when nothing can be written (e.g. credentials refused), and
        TargetUnavailableError when the vendor cannot be reached."""
        ...

    def confirm(self, entity: str, writes: Sequence[Write]) -> list[ReadBack | None]:
        """Per Write, in order, what the vendor holds now: whether the record exists with the
        Write's values, or None when it could not be asked (it did not answer). A create is
        looked up by its idempotency key (the external id, or the check-before-create key), an
        update by its id."""
        ...
