"""`concord doctor` for NetSuite: the machine-to-machine login, SuiteQL, every record and field
Concord lands (custom fields included) and every field the ownership file sends NetSuite."""

from __future__ import annotations

from collections.abc import Iterator

from concord.doctor import Finding, Stop
from concord.doctor.common import DOCTOR_HTTP, logged_in, reachable, sent_fields
from ingestion.config import NetSuiteConfig
from ingestion.http import SourceFatalError
from ingestion.netsuite import timezone
from ingestion.netsuite.client import NetSuiteClient, SuiteQLError, server_time
from ingestion.netsuite.tables import DATETIME_MASK, REGISTRY, NetSuiteTable
from reverse_etl.targets.netsuite import DEFAULT_MAX_IN_FLIGHT, record_fields

SYSTEM = "netsuite"
SETUP = "docs/connecting.md, NetSuite"


def checks() -> Iterator[Finding]:
    config = NetSuiteConfig.resolve(http=DOCTOR_HTTP)
    yield reachable(SYSTEM, config.base_url)
    client = NetSuiteClient(config)
    yield logged_in(SYSTEM, client.fetch_token, f"OAuth 2.0 machine-to-machine, {config.algorithm}-signed assertion")
    try:
        client.suiteql("SELECT id FROM currency FETCH FIRST 1 ROWS ONLY", limit=1)
    except (SourceFatalError, SuiteQLError) as exc:
        raise Stop(Finding(SYSTEM, "SuiteQL", False, str(exc))) from None
    yield Finding(SYSTEM, "SuiteQL", True, "query/v1/suiteql answers")
    yield _time_zone(client, config.time_zone)
    present: dict[str, set[str]] = {}
    for table in REGISTRY.tables:
        findings, present[table.name] = _readable(client, table)
        yield from findings
    for entity, fields in sent_fields(SYSTEM).items():
        yield _writable(entity, fields, present)
    yield Finding(
        SYSTEM,
        "limits",
        True,
        f"Concord keeps at most {DEFAULT_MAX_IN_FLIGHT} write requests in flight; the account's concurrency "
        "limit is shown in NetSuite's Integration Governance page [not readable through the API]",
    )


def _time_zone(client: NetSuiteClient, name: str) -> Finding:
    """The configured zone is the one SuiteQL answers in now (SYSDATE against the Date header)."""
    check = "time zone"
    try:
        tz = timezone.zone(name)
        page, response = client.suiteql(
            f"SELECT TO_CHAR(SYSDATE, '{DATETIME_MASK}') AS servernow FROM currency FETCH FIRST 1 ROWS ONLY", limit=1
        )
        for item in page["items"]:
            timezone.check_offset(str(item.get("servernow")), server_time(response), tz)
    except SourceFatalError as exc:
        return Finding(SYSTEM, check, False, str(exc))
    return Finding(SYSTEM, check, True, f"SuiteQL answers in {name}, as sources.netsuite.time_zone says")


def _readable(client: NetSuiteClient, table: NetSuiteTable) -> tuple[list[Finding], set[str]]:
    """Selects every known field of the table; each field NetSuite says it lacks is a finding."""
    check = f"read {table.name}"
    fields = list(table.kinds)
    missing: list[str] = []
    while fields:
        query = f"SELECT {', '.join(f'{table.name}.{f}' for f in fields)} FROM {table.from_clause}"
        if table.scope:
            query += f" WHERE {table.scope}"
        try:
            client.suiteql(f"{query} FETCH FIRST 1 ROWS ONLY", limit=1)
            break
        except SourceFatalError as exc:
            return [Finding(SYSTEM, check, False, str(exc))], set()
        except SuiteQLError as exc:
            gone = (exc.missing_field or "").lower()
            if gone not in fields:
                return [Finding(SYSTEM, check, False, exc.detail)], set()
            fields.remove(gone)
            missing.append(gone)
    findings = [
        Finding(SYSTEM, check, False, f"field {table.name}.{name} is missing: {_hint(name)} ({SETUP})")
        for name in missing
    ]
    if not missing:
        findings.append(Finding(SYSTEM, check, True, f"readable, all {len(fields)} fields the model reads present"))
    return findings, set(fields)


def _writable(entity: str, fields: tuple[str, ...], present: dict[str, set[str]]) -> Finding:
    record, names = record_fields(entity, fields)
    check = f"write {record}"
    lacking = sorted(n for n in names if n.lower() not in present.get(record, set()))
    if lacking:
        return Finding(SYSTEM, check, False, f"{record} lacks {', '.join(lacking)}: {_hint(lacking[0].lower())}")
    return Finding(
        SYSTEM,
        check,
        True,
        f"fields present: {', '.join(names)} (the role's edit permission shows only when a write is made)",
    )


def _hint(field: str) -> str:
    if field.startswith("custentity_"):
        return "create the custom entity field with this id, applied to customers and projects"
    return "check that the integration's role may see it (and that the feature is enabled)"
