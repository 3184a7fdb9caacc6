"""The Harvest tables Concord lands and the contract each promises: Harvest's registry.

Every table is one account-wide list endpoint (the assignments too: `/task_assignments` and
`/user_assignments` list every project's), keyed by `id`, versioned by `updated_at`: whole
seconds, UTC, `2017-06-26T21:52:18Z`. Time entries and expenses carry their nested client
(and its currency) as `client__*` columns after flattening; only clients hold a currency of
their own, so only clients get the currency check.

Time entries and expenses, the big tables, have their keys reconciled nightly (a listing of
every record: Harvest has no ids-only mode); the small tables every run.

Column types are declared for the fields Harvest documents that are often null (rates,
budgets, invoices, external references): dlt would otherwise leave such a column out until
a first value arrives, and would split a money column into two if one page sent `5000` and
another `5000.5`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dlt.common.schema.typing import TTableSchemaColumns

from ingestion.landing import TableContract
from ingestion.registry import DAILY, EVERY_RUN, LandedTable, SystemRegistry

SYSTEM = "harvest"
PRIMARY_KEY = "id"
CURSOR = "updated_at"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_timestamp(text: str) -> datetime:
    """Harvest's `updated_at`; an ISO 8601 time without a zone is not a valid cursor."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _types(
    double: tuple[str, ...] = (),
    text: tuple[str, ...] = (),
    bigint: tuple[str, ...] = (),
    timestamp: tuple[str, ...] = (),
) -> TTableSchemaColumns:
    declared = {"double": double, "text": text, "bigint": bigint, "timestamp": timestamp}
    return {name: {"data_type": kind, "nullable": True} for kind, names in declared.items() for name in names}


_INVOICE = ("invoice__number",)
_EXTERNAL_REFERENCE = tuple(
    f"external_reference__{f}" for f in ("id", "group_id", "account_id", "permalink", "service", "service_icon_url")
)


@dataclass(frozen=True, kw_only=True)
class HarvestTable(LandedTable):
    """A Harvest list endpoint (`/<name>`) and what its records must satisfy."""

    # Types of the documented fields that are often null (see the module's docstring).
    column_hints: TTableSchemaColumns = field(default_factory=dict)
    required: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    currency: str | None = None

    @property
    def contract(self) -> TableContract:
        declared = {name: column["data_type"] for name, column in self.column_hints.items()}
        return TableContract(
            table=self.name,
            primary_key=PRIMARY_KEY,
            cursor=CURSOR,
            parse_cursor=parse_timestamp,
            required=self.required,
            numeric=self.numeric,
            currency=self.currency,
            column_types={"id": "bigint", "created_at": "timestamp", "updated_at": "timestamp", **declared},
            nested=True,
        )


REGISTRY = SystemRegistry(
    system=SYSTEM,
    description=(
        "Harvest v2 (the PSA), landed by the `harvest` dlt pipeline. Each table holds the current "
        "state of one list endpoint merged on `id`; Harvest deletes for good, so records found "
        "missing by key reconciliation are kept and flagged (`_concord_is_deleted`). Nested "
        "objects are flattened to `parent__child` columns; `<table>_history` holds every version landed."
    ),
    primary_key=PRIMARY_KEY,
    cursor=CURSOR,
    tables=(
        HarvestTable(
            name="clients",
            description="Clients.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(text=("address", "statement_key")),
            required=("name",),
            currency="currency",
        ),
        HarvestTable(
            name="projects",
            description="Projects, each for one client.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(
                double=("hourly_rate", "budget", "cost_budget", "fee", "over_budget_notification_percentage"),
                text=("code", "notes", "starts_on", "ends_on", "over_budget_notification_date"),
            ),
            required=("name", "client"),
            numeric=("hourly_rate", "budget", "cost_budget", "fee"),
        ),
        HarvestTable(
            name="tasks",
            description="Tasks (the firm's roles, plus non-billable work).",
            reconcile_every=EVERY_RUN,
            column_hints=_types(double=("default_hourly_rate",)),
            required=("name",),
            numeric=("default_hourly_rate",),
        ),
        HarvestTable(
            name="users",
            description="Users: the firm's consultants and staff.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(double=("default_hourly_rate", "cost_rate"), text=("telephone", "avatar_url")),
            required=("first_name", "last_name", "email"),
            numeric=("weekly_capacity", "default_hourly_rate", "cost_rate"),
        ),
        HarvestTable(
            name="task_assignments",
            description="Which tasks each project uses, with the project's rate for each.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(double=("hourly_rate", "budget")),
            required=("project", "task"),
            numeric=("hourly_rate", "budget"),
        ),
        HarvestTable(
            name="user_assignments",
            description="Who is staffed on each project.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(double=("hourly_rate", "budget")),
            required=("project", "user"),
            numeric=("hourly_rate", "budget"),
        ),
        HarvestTable(
            name="expense_categories",
            description="Expense categories.",
            reconcile_every=EVERY_RUN,
            column_hints=_types(double=("unit_price",), text=("unit_name",)),
            required=("name",),
            numeric=("unit_price",),
        ),
        HarvestTable(
            name="time_entries",
            description="Time entries: hours logged by a user on a project's task.",
            history_description="Every landed version of each time entry.",
            reconcile_every=DAILY,
            column_hints=_types(
                double=(
                    "hours",
                    "hours_without_timer",
                    "rounded_hours",
                    "billable_rate",
                    "cost_rate",
                    "user_assignment__hourly_rate",
                    "user_assignment__budget",
                    "task_assignment__hourly_rate",
                    "task_assignment__budget",
                ),
                text=("notes", "locked_reason", "started_time", "ended_time", *_INVOICE, *_EXTERNAL_REFERENCE),
                bigint=("invoice__id",),
                timestamp=("timer_started_at",),
            ),
            required=("spent_date", "user", "project", "task"),
            numeric=("hours", "rounded_hours", "billable_rate", "cost_rate"),
        ),
        HarvestTable(
            name="expenses",
            description="Expenses logged against a project.",
            history_description="Every landed version of each expense.",
            reconcile_every=DAILY,
            column_hints=_types(
                double=("total_cost", "units", "expense_category__unit_price"),
                text=(
                    "notes",
                    "locked_reason",
                    "receipt__url",
                    "receipt__file_name",
                    "receipt__content_type",
                    *_INVOICE,
                ),
                bigint=("invoice__id", "receipt__file_size"),
            ),
            required=("spent_date", "user", "project"),
            numeric=("total_cost", "units"),
        ),
    ),
)
