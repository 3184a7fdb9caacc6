"""The Harvest tables Concord lands and the contract each promises.

Every table is one account-wide list endpoint (the assignments too: `/task_assignments` and
`/user_assignments` list every project's), keyed by `id`, versioned by `updated_at`: whole
seconds, UTC, `2017-06-26T21:52:18Z`. Time entries and expenses carry their nested client
(and its currency) as `client__*` columns after flattening; only clients hold a currency of
their own, so only clients get the currency check.

Column types are declared for the fields Harvest documents that are often null (rates,
budgets, invoices, external references): dlt would otherwise leave such a column out until
a first value arrives, and would split a money column into two if one page sent `5000` and
another `5000.5`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dlt.common.schema.typing import TTableSchemaColumns

from ingestion.landing import TableContract

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_timestamp(text: str) -> datetime:
    """Harvest's `updated_at`; an ISO 8601 time without a zone is not a valid cursor."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _contract(table: str, required: tuple[str, ...] = (), numeric: tuple[str, ...] = (), currency: str | None = None):
    declared = {name: column["data_type"] for name, column in COLUMN_HINTS[table].items()}
    return TableContract(
        table=table,
        primary_key="id",
        cursor="updated_at",
        parse_cursor=parse_timestamp,
        required=required,
        numeric=numeric,
        currency=currency,
        column_types={"id": "bigint", "created_at": "timestamp", "updated_at": "timestamp", **declared},
        nested=True,
    )


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
COLUMN_HINTS: dict[str, TTableSchemaColumns] = {
    "clients": _types(text=("address", "statement_key")),
    "projects": _types(
        double=("hourly_rate", "budget", "cost_budget", "fee", "over_budget_notification_percentage"),
        text=("code", "notes", "starts_on", "ends_on", "over_budget_notification_date"),
    ),
    "tasks": _types(double=("default_hourly_rate",)),
    "users": _types(double=("default_hourly_rate", "cost_rate"), text=("telephone", "avatar_url")),
    "task_assignments": _types(double=("hourly_rate", "budget")),
    "user_assignments": _types(double=("hourly_rate", "budget")),
    "expense_categories": _types(double=("unit_price",), text=("unit_name",)),
    "time_entries": _types(
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
    "expenses": _types(
        double=("total_cost", "units", "expense_category__unit_price"),
        text=("notes", "locked_reason", "receipt__url", "receipt__file_name", "receipt__content_type", *_INVOICE),
        bigint=("invoice__id", "receipt__file_size"),
    ),
}


CONTRACTS: dict[str, TableContract] = {
    contract.table: contract
    for contract in (
        _contract("clients", required=("name",), currency="currency"),
        _contract("projects", required=("name", "client"), numeric=("hourly_rate", "budget", "cost_budget", "fee")),
        _contract("tasks", required=("name",), numeric=("default_hourly_rate",)),
        _contract(
            "users",
            required=("first_name", "last_name", "email"),
            numeric=("weekly_capacity", "default_hourly_rate", "cost_rate"),
        ),
        _contract("task_assignments", required=("project", "task"), numeric=("hourly_rate", "budget")),
        _contract("user_assignments", required=("project", "user"), numeric=("hourly_rate", "budget")),
        _contract("expense_categories", required=("name",), numeric=("unit_price",)),
        _contract(
            "time_entries",
            required=("spent_date", "user", "project", "task"),
            numeric=("hours", "rounded_hours", "billable_rate", "cost_rate"),
        ),
        _contract("expenses", required=("spent_date", "user", "project"), numeric=("total_cost", "units")),
    )
}
