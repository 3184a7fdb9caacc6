"""Salesforce as a write-back target: canonical customers to Account, projects to
Opportunity, through sObject Collections.

- Updates: `PATCH composite/sobjects` by Id, at most 200 records per call, `allOrNone:
  false`, so one bad record fails alone; per-record failures carry `statusCode` (not
  `errorCode`) and are mapped to the ledger's categories.
- Creates (customers only): an upsert on the external-id field `Account.Concord_Golden_Id__c`
  (`PATCH composite/sobjects/Account/Concord_Golden_Id__c`) keyed by the golden id, so a create
  retried after a timeout, or re-run, updates the record the first attempt made. After such a
  retry Salesforce may report `created: false` for a record the first attempt created.
- Read back (`confirm`): `GET sobjects/{type}/{id}`, or a create by its external id
  (`GET sobjects/Account/Concord_Golden_Id__c/{golden id}`), compared field by field with the
  record the write sent.
- Login reuses the ingestion client's OAuth flow. A login that gets no answer (or a 5xx)
  raises TargetUnavailableError; a refused login, a session refused again
  right after a fresh login, and an exhausted daily API allowance (403 REQUEST_LIMIT_EXCEEDED)
  raise TargetFatalError; an expired session is renewed once.
- Values arrive as text: amounts are sent as JSON numbers, the rest as strings; empty
  (None) clears the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

from ingestion.config import SalesforceConfig
from ingestion.http import SourceFatalError
from ingestion.salesforce.client import SECRETS_HINT, SalesforceClient
from reverse_etl.targets.base import Outcome, ReadBack, TargetFatalError, TargetUnavailableError, Write
from reverse_etl.targets.http import (
    Sender,
    Sent,
    holds_values,
    json_body,
    local_failure,
    new_session,
    one_line,
    read_back,
    trim,
)

SYSTEM = "salesforce"
MAX_COLLECTION_RECORDS = 200
GOLDEN_ID_FIELD = "Concord_Golden_Id__c"

# statusCode of a failed record in a Collections result -> the ledger's category
NOT_FOUND_CODES = frozenset({"INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED", "NOT_FOUND"})
CONFLICT_CODES = frozenset({"DUPLICATE_EXTERNAL_ID", "DUPLICATE_VALUE", "MULTIPLE_CHOICES"})
SERVER_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE"})


@dataclass(frozen=True)
class SObjectMapping:
    """Where one canonical entity lives in Salesforce."""

    sobject: str
    fields: Mapping[str, str]  # canonical field -> Salesforce field
    numeric: frozenset[str] = frozenset()  # canonical fields sent as JSON numbers
    upsert_key: str | None = None  # the external-id field creates upsert on (None: no creates)


ENTITIES: dict[str, SObjectMapping] = {
    "customer": SObjectMapping(
        sobject="Account",
        fields={
            "legal_name": "Name",  # Account's one required field: needed to create, never synced back
            "ar_balance": "AR_Balance__c",
            "invoice_status": "Invoice_Status__c",
            "netsuite_customer_id": "NetSuite_Customer_Id__c",
            "harvest_client_id": "Harvest_Client_Id__c",
            "golden_customer_id": GOLDEN_ID_FIELD,
        },
        numeric=frozenset({"ar_balance"}),
        upsert_key=GOLDEN_ID_FIELD,
    ),
    "project": SObjectMapping(sobject="Opportunity", fields={"project_status": "Delivery_Status__c"}),
}


def _errors(body: Any) -> list[dict[str, Any]]:
    return [e for e in body if isinstance(e, dict)] if isinstance(body, list) else []


def _describe(errors: list[dict[str, Any]], code_key: str) -> str:
    parts = []
    for e in errors:
        fields = e.get("fields") or []
        where = f" [{', '.join(map(str, fields))}]" if fields else ""
        parts.append(f"{e.get(code_key)}: {e.get('message')}{where}")
    return "; ".join(parts)


def _record_category(code: str) -> str:
    if code in NOT_FOUND_CODES:
        return "not_found"
    if code in CONFLICT_CODES:
        return "conflict"
    if code in SERVER_CODES:
        return "server"
    if code == "INVALID_SESSION_ID":
        return "auth"
    return "validation"


class SalesforceTarget:
    """Writes canonical customers and projects to a Salesforce org."""

    system = SYSTEM

    def __init__(self, config: SalesforceConfig, batch_size: int = MAX_COLLECTION_RECORDS) -> None:
        self.config = config
        self.batch_size = max(1, min(batch_size, MAX_COLLECTION_RECORDS))
        self._login_client = SalesforceClient(config)
        self._session = new_session(config.http, {"Accept": "application/json"})
        self._sender = Sender(config.http)
        self._instance_url: str | None = None

    def writable_fields(self) -> Mapping[str, frozenset[str]]:
        return {entity: frozenset(m.fields) for entity, m in ENTITIES.items()}

    # -- session ---------------------------------------------------------------------------

    def _login(self) -> None:
        try:
            self._login_client.login()
        except SourceFatalError as exc:
            raise TargetFatalError(one_line(str(exc))) from None
        except requests.RequestException as exc:  # still failing after the login's own retries
            raise TargetUnavailableError(one_line(f"Salesforce could not be reached to log in ({exc})")) from None
        self._session.headers["Authorization"] = self._login_client.http.headers["Authorization"]
        self._instance_url = self._login_client.instance_url

    def _api(self, path: str) -> str:
        if self._instance_url is None:
            self._login()
        return f"{self._instance_url}/services/data/v{self.config.api_version}/{path}"

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Sent:
        """A request to an API path; renews an expired session once; fatal failures raise."""
        sent = self._sender.send(self._session, method, self._api(path), json=body)
        if sent.status == 401:
            self._login()
            sent = self._sender.send(
                self._session,
                method,
                self._api(path),
                json=body,
                correlation_id=sent.correlation_id,
                attempts_before=sent.attempts,
            )
            if sent.status == 401:
                raise TargetFatalError(
                    "Salesforce refused a fresh session (401 INVALID_SESSION_ID) right after login: the "
                    f"integration user may lack API access; {SECRETS_HINT}"
                )
        if sent.status == 403 and sent.response is not None:
            codes = {str(e.get("errorCode")) for e in _errors(json_body(sent.response))}
            if "REQUEST_LIMIT_EXCEEDED" in codes:
                usage = sent.response.headers.get("Sforce-Limit-Info", "api-usage unknown")
                raise TargetFatalError(
                    f"Salesforce's daily API request limit is exhausted (403 REQUEST_LIMIT_EXCEEDED, {usage}); "
                    "run the write-back again once the org's 24-hour allowance frees up"
                )
        return sent

    # -- writing ---------------------------------------------------------------------------

    def write(self, entity: str, writes: Sequence[Write]) -> list[Outcome]:
        mapping = ENTITIES.get(entity)
        if mapping is None:
            raise ValueError(f"Salesforce has no write-back mapping for entity {entity!r}; known: {sorted(ENTITIES)}")
        outcomes: dict[int, Outcome] = {}
        updates: list[tuple[int, dict[str, Any]]] = []
        creates: list[tuple[int, dict[str, Any]]] = []
        for index, w in enumerate(writes):
            record, problem = self._record(mapping, w)
            if problem:
                outcomes[index] = local_failure(w.sync_key, problem)
            elif w.operation == "update":
                updates.append((index, {**record, "Id": w.target_record_id}))
            else:
                creates.append((index, {**record, str(mapping.upsert_key): w.external_id}))
        for chunk in _chunks(updates, self.batch_size):
            self._collection(writes, chunk, "composite/sobjects", outcomes)
        for chunk in _chunks(creates, self.batch_size):
            self._collection(writes, chunk, f"composite/sobjects/{mapping.sobject}/{mapping.upsert_key}", outcomes)
        return [outcomes[i] for i in range(len(writes))]

    def confirm(self, entity: str, writes: Sequence[Write]) -> list[ReadBack | None]:
        mapping = ENTITIES[entity]
        return [self._confirm_one(mapping, w) for w in writes]

    def _confirm_one(self, mapping: SObjectMapping, w: Write) -> ReadBack | None:
        record, problem = self._record(mapping, w)
        if problem:  # it could not have been sent
            return ReadBack(False)
        key = w.target_record_id if w.operation == "update" else w.external_id
        path = f"sobjects/{mapping.sobject}/{quote(str(key), safe='')}"
        if w.operation == "create":
            path = f"sobjects/{mapping.sobject}/{mapping.upsert_key}/{quote(str(key), safe='')}"
        record.pop("attributes", None)
        return read_back(self._request("GET", path), lambda found: holds_values(found, record), "Id", (300, 404))

    def _record(self, mapping: SObjectMapping, w: Write) -> tuple[dict[str, Any], str | None]:
        """The Collections record for a write (without its key), or why it cannot be sent."""
        if w.operation == "update" and not w.target_record_id:
            return {}, "an update needs the Salesforce record id (target_record_id)"
        if w.operation == "create":
            if mapping.upsert_key is None:
                return {}, f"creating a Salesforce {mapping.sobject} is not supported (no external-id key)"
            if not w.external_id:
                return {}, f"a create needs an external id for {mapping.sobject}.{mapping.upsert_key}"
        record: dict[str, Any] = {"attributes": {"type": mapping.sobject}}
        for name, value in w.values.items():
            sf_field = mapping.fields.get(name)
            if sf_field is None:
                return {}, f"field {name!r} cannot be written to Salesforce {mapping.sobject}"
            if value in (None, ""):
                record[sf_field] = None
            elif name in mapping.numeric:
                try:
                    record[sf_field] = float(Decimal(value))
                except InvalidOperation:
                    return {}, f"{name} {value!r} is not a number"
            else:
                record[sf_field] = value
        return record, None

    def _collection(
        self, writes: Sequence[Write], chunk: list[tuple[int, dict[str, Any]]], path: str, outcomes: dict[int, Outcome]
    ) -> None:
        sent = self._request("PATCH", path, {"allOrNone": False, "records": [record for _, record in chunk]})
        results = json_body(sent.response) if sent.status == 200 and sent.response is not None else None
        if not isinstance(results, list) or len(results) != len(chunk):
            message = None
            if sent.response is not None:
                body = json_body(sent.response)
                message = _describe(_errors(body), "errorCode") or sent.response.text
                if sent.status == 200:
                    message = f"Salesforce answered with {len(results or [])} results for {len(chunk)} records"
            for index, _ in chunk:
                outcomes[index] = sent.failure(writes[index].sync_key, message)
            return
        for (index, _), result in zip(chunk, results, strict=True):
            w = writes[index]
            common = {"correlation_id": sent.correlation_id, "attempts": sent.attempts, "http_status": sent.status}
            if isinstance(result, dict) and result.get("success"):
                outcomes[index] = Outcome(
                    w.sync_key,
                    ok=True,
                    target_record_id=result.get("id") or w.target_record_id,
                    created=bool(result.get("created", False)),
                    **common,
                )
                continue
            errors = _errors(result.get("errors") if isinstance(result, dict) else None)
            code = str(errors[0].get("statusCode")) if errors else "UNKNOWN"
            outcomes[index] = Outcome(
                w.sync_key,
                ok=False,
                target_record_id=(result.get("id") if isinstance(result, dict) else None) or w.target_record_id,
                error_category=_record_category(code),
                message=trim(_describe(errors, "statusCode") or str(result)),
                extra={"vendor_code": code},
                **common,
            )


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
