"""`concord doctor` for Salesforce: login, API version, and describe of every object Concord
lands or writes (custom fields present, fields writable, external ids marked)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests

from concord.doctor import Finding
from concord.doctor.common import DOCTOR_HTTP, logged_in, reachable, sent_fields
from ingestion.config import SalesforceConfig
from ingestion.salesforce.client import SalesforceClient
from ingestion.salesforce.objects import REGISTRY
from reverse_etl.targets.salesforce import ENTITIES

SYSTEM = "salesforce"
SETUP = "docs/connecting.md, Salesforce"


def checks() -> Iterator[Finding]:
    config = SalesforceConfig.resolve(http=DOCTOR_HTTP)
    yield reachable(SYSTEM, config.login_url if config.auth_flow == "jwt_bearer" else config.base_url)
    client = SalesforceClient(config)
    yield logged_in(SYSTEM, client.login, f"{config.auth_flow} flow")
    yield _api_version(client)
    described = _Describe(client)
    for table in REGISTRY.tables:
        yield from _readable(described, table.vendor_name, table.custom_fields)
    for entity, fields in sent_fields(SYSTEM).items():
        yield from _writable(described, entity, fields)
    yield _limits(client)


class _Describe:
    """Each object's describe, fetched once; None when the object is not visible."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client
        self._bodies: dict[str, dict[str, Any] | None] = {}

    def __call__(self, sobject: str) -> dict[str, Any] | None:
        if sobject not in self._bodies:
            try:
                self._bodies[sobject] = self.client.get(f"{self.client.api}/sobjects/{sobject}/describe")
            except requests.HTTPError as exc:
                if exc.response is None or exc.response.status_code != 404:
                    raise
                self._bodies[sobject] = None
        return self._bodies[sobject]


def _api_version(client: SalesforceClient) -> Finding:
    served = [v.get("version") for v in client.get("/services/data/") if isinstance(v, dict)]
    wanted = client.config.api_version
    if wanted in served:
        return Finding(SYSTEM, "API version", True, f"v{wanted} served (latest v{max(served, key=float)})")
    return Finding(
        SYSTEM,
        "API version",
        False,
        f"v{wanted} is not served (the org serves {', '.join(served[-3:])}); set sources.salesforce.api_version",
    )


def _readable(described: _Describe, sobject: str, custom_fields: tuple[str, ...]) -> Iterator[Finding]:
    check = f"read {sobject}"
    body = described(sobject)
    if body is None:
        hint = "create the custom object" if sobject.endswith("__c") else "grant the integration user read access"
        yield Finding(SYSTEM, check, False, f"{sobject} is not visible to the integration user: {hint} ({SETUP})")
        return
    if not body.get("queryable", False):
        yield Finding(SYSTEM, check, False, f"{sobject} cannot be queried by the integration user: grant Read on it")
        return
    present = {f["name"] for f in body.get("fields", [])}
    missing = [f for f in custom_fields if f not in present]
    for name in missing:
        yield Finding(
            SYSTEM,
            check,
            False,
            f"custom field {sobject}.{name} is missing: create it on {sobject} and make it visible "
            f"to the integration user ({SETUP})",
        )
    if not missing:
        yield Finding(SYSTEM, check, True, f"readable, {len(custom_fields)} custom fields the model reads present")


def _writable(described: _Describe, entity: str, fields: tuple[str, ...]) -> Iterator[Finding]:
    mapping = ENTITIES.get(entity)
    if mapping is None:
        return
    check = f"write {mapping.sobject}"
    body = described(mapping.sobject)
    if body is None:
        yield Finding(SYSTEM, check, False, f"{mapping.sobject} is not visible to the integration user")
        return
    by_name = {f["name"]: f for f in body.get("fields", [])}
    problems = []
    for canonical in fields:
        name = mapping.fields.get(canonical)
        if name is None:
            continue
        described_field = by_name.get(name)
        if described_field is None:
            problems.append(f"{mapping.sobject}.{name} is missing: create it ({SETUP})")
        elif not (described_field.get("updateable") or described_field.get("createable")):
            problems.append(f"{mapping.sobject}.{name} is read-only for the integration user: grant Edit on it")
    if mapping.upsert_key:
        key = by_name.get(mapping.upsert_key)
        if key is not None and not key.get("externalId"):
            problems.append(f"{mapping.sobject}.{mapping.upsert_key} must be marked External ID (creates upsert on it)")
    for problem in problems:
        yield Finding(SYSTEM, check, False, problem)
    if not problems:
        sent = [mapping.fields[f] for f in fields if f in mapping.fields]
        yield Finding(SYSTEM, check, True, f"writable: {', '.join(sent)}")


def _limits(client: SalesforceClient) -> Finding:
    response = client.get_response(f"{client.api}/limits")
    usage = response.headers.get("Sforce-Limit-Info", "")
    daily = response.json().get("DailyApiRequests", {})
    remaining, most = daily.get("Remaining"), daily.get("Max")
    detail = f"daily API requests: {remaining:,} of {most:,} left" if remaining is not None and most else usage
    return Finding(SYSTEM, "limits", bool(remaining is None or remaining > 0), detail or "no limit information")
