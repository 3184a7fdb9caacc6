"""NetSuite as a write-back target: canonical customers to NetSuite `customer` records, and
approved PSA time (entity `time_entry`) and expenses (entity `expense`) to billable `charge`
records.

- Update: `PATCH record/v1/{type}/{id}` (204), only the fields to change; an update that
  carries an external id also sets it (a corrected charge moves to its next version,
  harvest-te-<entry>-v<n+1>, on the same record).
- Create: `PUT record/v1/{type}/eid:{external id}`, NetSuite's upsert by external id: a
  retried or re-run create updates the record the first one made. The new id is read from
  the `Location` header. Whether the upsert created the record is told by a SuiteQL look-up
  of the external ids before writing (one query per call).
- Charges: hours -> `quantity`, the contract rate -> `rate` (NetSuite computes the amount),
  the day -> `chargeDate`, and `{"id"}` references for the customer billed (`billTo`), the
  project, the service item (`billingItem`), the subsidiary and the currency; a create is a
  `Time` charge `Ready For Billing`. An expense has no hours or rate: its amount is billed as
  one unit (`quantity` 1, `rate` the amount), so a corrected amount also resets the quantity;
  a create is an `Expense` charge `Ready For Billing`.
- Values: text to NetSuite's types and references. currency_code ('EUR') and payment_terms
  ('Net 30') become `{"id"}` references to the currency / term records, looked up once per
  target by SuiteQL; legal_entity_id is the subsidiary's internal id. A code or name NetSuite
  does not know fails that row as `validation` without a request.
- Billing address: NetSuite keeps addresses in the customer's `addressBook` sublist, each
  line an `addressBookAddress` subrecord; billing_street/city/postal_code/country go to
  `addr1`/`city`/`zip`/`country` of the default billing line (`defaultBilling: true`). An
  update reads the customer (`GET …?expandSubResources=true`, the sublist is only a link
  otherwise) to find that line's `id`, then PATCHes that line with the fields to change
  (Oracle, "Updating a Sublist": a keyed sublist's line with a matching key is updated, a
  line without one is added); a customer without a default billing line gets one added. A
  create sends one default billing line with `?replace=addressBook`, so a retried upsert
  replaces the line the first one made instead of adding a second. [unverified] that the
  line key is `id`, that a PATCH of some subrecord fields keeps the others, and that the
  upsert takes `replace`.
- Read back (`confirm`): `GET record/v1/{type}/{id}`, or a create by its external id
  (`…/eid:{external id}`), expanded when the write carried the billing address, compared
  field by field with the body the write sent.
- Concurrency: at most `max_in_flight` requests at once (NetSuite limits concurrent requests
  per account and answers 429 CONCURRENCY_LIMIT_EXCEEDED, without Retry-After, to the one
  over: that is retried with exponential backoff).
- Auth is the ingestion client's login (`ingestion.netsuite.auth`: OAuth 2.0 client
  credentials with a signed JWT, one token shared by the workers and reused until shortly
  before it expires); a token refused mid-run is renewed once, and a refused login raises
  TargetFatalError (a token endpoint or SuiteQL that does not answer: TargetUnavailableError).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from ingestion.config import NetSuiteConfig
from ingestion.http import SourceFatalError
from ingestion.netsuite.client import NetSuiteClient, SuiteQLError
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
)

SYSTEM = "netsuite"
DEFAULT_MAX_IN_FLIGHT = 4

TEXT_FIELDS = {
    "legal_name": "companyName",
    "tax_id": "vatRegNumber",
    "golden_customer_id": "custentity_concord_golden_id",
    "salesforce_account_id": "custentity_sf_account_id",
}
REFERENCE_FIELDS = {"currency_code": "currency", "payment_terms": "terms", "legal_entity_id": "subsidiary"}
# canonical field -> field of the default billing line's address subrecord
ADDRESS_FIELDS = {
    "billing_street": "addr1",
    "billing_city": "city",
    "billing_postal_code": "zip",
    "billing_country": "country",
}
ADDRESS_BOOK = "addressBook"
# What SuiteQL shows of the address book on the customer (what the doctor checks is readable).
ADDRESS_BOOK_FIELD = "defaultBillingAddress"
CUSTOMER_FIELDS = frozenset(TEXT_FIELDS) | frozenset(REFERENCE_FIELDS) | frozenset(ADDRESS_FIELDS)

# time_entry field -> (charge field, kind); kinds: number, date, ref (an internal id), currency
CHARGE_MAPPING = {
    "approved_hours": ("quantity", "number"),
    "billable_rate": ("rate", "number"),
    "spent_date": ("chargeDate", "date"),
    "currency_code": ("currency", "currency"),
    "legal_entity_id": ("subsidiary", "ref"),
    "billing_item_id": ("billingItem", "ref"),
    "netsuite_project_id": ("project", "ref"),
    "netsuite_customer_id": ("billTo", "ref"),
}
CHARGE_FIELDS = frozenset(CHARGE_MAPPING)
# expense field -> (charge field, kind); kind amount: one unit at that amount
EXPENSE_CHARGE_MAPPING = {
    "amount": ("rate", "amount"),
    **{name: to for name, to in CHARGE_MAPPING.items() if name not in ("approved_hours", "billable_rate")},
}
EXPENSE_CHARGE_FIELDS = frozenset(EXPENSE_CHARGE_MAPPING)
# entity -> (charge field mapping, what a create adds): the charge type as NetSuite names it
CHARGE_KINDS: dict[str, tuple[dict[str, tuple[str, str]], dict[str, str]]] = {
    "time_entry": (CHARGE_MAPPING, {"chargeType": "Time", "stage": "Ready For Billing"}),
    "expense": (EXPENSE_CHARGE_MAPPING, {"chargeType": "Expense", "stage": "Ready For Billing"}),
}
# entity -> record type (and SuiteQL table)
RECORD_TYPES = {"customer": "customer", "time_entry": "charge", "expense": "charge"}


def record_fields(entity: str, fields: tuple[str, ...]) -> tuple[str, list[str]]:
    """The record type an entity is written to and the record fields `fields` become there
    (the record API's names; SuiteQL knows the same fields in lower case; the billing address
    is the address book, which SuiteQL shows as `defaultbillingaddress`)."""
    if entity == "customer":
        mapping = {**TEXT_FIELDS, **REFERENCE_FIELDS, **dict.fromkeys(ADDRESS_FIELDS, ADDRESS_BOOK_FIELD)}
        names = [mapping[f] for f in fields if f in mapping]
    else:
        charge_mapping, _ = CHARGE_KINDS[entity]
        names = [charge_mapping[f][0] for f in fields if f in charge_mapping]
    return RECORD_TYPES[entity], list(dict.fromkeys(names))


def _error_detail(response: requests.Response) -> str:
    """NetSuite's `o:errorDetails` as one line (`CODE: detail`), or the raw body."""
    body = json_body(response)
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    if isinstance(details, list) and details:
        return "; ".join(f"{d.get('o:errorCode', '')}: {d.get('detail', '')}" for d in details if isinstance(d, dict))
    return response.text


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _charge_body(entity: str, w: Write, currencies: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """A billable charge's body from a time entry's or an expense's values (a create adds its
    type and stage)."""
    mapping, new_charge = CHARGE_KINDS[entity]
    body: dict[str, Any] = dict(new_charge) if w.operation == "create" else {}
    for name, value in w.values.items():
        if name not in mapping:
            return {}, f"field {name!r} cannot be written to a NetSuite {entity} charge"
        field, kind = mapping[name]
        value = None if value == "" else value
        if value is None:
            return {}, f"a charge needs a value for {name}"
        if kind in ("number", "amount"):
            try:
                body[field] = float(value)
            except ValueError:
                return {}, f"{name} {value!r} is not a number"
            if kind == "amount":
                body["quantity"] = 1.0
        elif kind == "date":
            try:
                body[field] = date.fromisoformat(value).isoformat()
            except ValueError:
                return {}, f"{name} {value!r} is not a date (YYYY-MM-DD)"
        elif kind == "currency":
            if value.upper() not in currencies:
                return {}, f"NetSuite has no currency {value!r} (known: {', '.join(sorted(currencies))})"
            body[field] = {"id": currencies[value.upper()]}
        else:
            body[field] = {"id": value}
    return body, None


class NetSuiteTarget:
    """Writes canonical customers and approved time (as charges) to NetSuite, at most
    `max_in_flight` requests at once."""

    system = SYSTEM

    def __init__(self, config: NetSuiteConfig, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.max_in_flight = max(1, max_in_flight)
        self._client = NetSuiteClient(config)  # token and SuiteQL
        self._sender = Sender(config.http)
        self._local = threading.local()  # one session per worker thread
        self._currencies: dict[str, str] | None = None
        self._terms: dict[str, str] | None = None

    def writable_fields(self) -> Mapping[str, frozenset[str]]:
        return {"customer": CUSTOMER_FIELDS, "time_entry": CHARGE_FIELDS, "expense": EXPENSE_CHARGE_FIELDS}

    # -- auth and look-ups -----------------------------------------------------------------

    def _current_token(self) -> str:
        try:
            return self._client.login.token()  # the ingestion client's login: one place for it
        except SourceFatalError as exc:
            raise TargetFatalError(one_line(str(exc))) from None
        except requests.RequestException as exc:  # no answer, or a 5xx, after the login's own retries
            raise TargetUnavailableError(one_line(f"NetSuite's token endpoint failed ({exc})")) from None
        except ValueError as exc:
            raise TargetFatalError(one_line(f"NetSuite's token endpoint failed ({exc})")) from None

    def _query(self, sql: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            try:
                page, _ = self._client.suiteql(sql, limit=1000, offset=offset)
            except SourceFatalError as exc:
                raise TargetFatalError(one_line(str(exc))) from None
            except requests.RequestException as exc:  # a SuiteQLError is the caller's
                raise TargetUnavailableError(one_line(f"NetSuite's SuiteQL look-up failed ({exc})")) from None
            except ValueError as exc:
                raise TargetFatalError(one_line(f"NetSuite's SuiteQL look-up failed ({exc})")) from None
            items.extend(page["items"])
            if not page.get("hasMore"):
                return items
            offset += 1000

    def _lookups(self) -> tuple[dict[str, str], dict[str, str]]:
        """Currency ISO code -> currency id, term name (lower-cased) -> term id (cached)."""
        if self._currencies is None or self._terms is None:
            try:
                currencies = self._query("SELECT id, symbol FROM currency ORDER BY id")
                terms = self._query("SELECT id, name FROM term ORDER BY id")
            except SuiteQLError as exc:
                raise TargetFatalError(
                    one_line(f"{exc}; the integration's role must be able to read currencies and terms")
                ) from None
            self._currencies = {str(r["symbol"]).upper(): str(r["id"]) for r in currencies}
            self._terms = {str(r["name"]).lower(): str(r["id"]) for r in terms}
        return self._currencies, self._terms

    def _existing_external_ids(self, record_type: str, external_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(external_ids), 500):
            chunk = external_ids[start : start + 500]
            sql = f"SELECT externalid FROM {record_type} WHERE externalid IN ({', '.join(map(_quote_literal, chunk))})"
            try:
                found.update(str(r["externalid"]) for r in self._query(sql))
            except SuiteQLError:
                return set()  # only the `created` flag depends on it
        return found

    # -- writing ---------------------------------------------------------------------------

    def write(self, entity: str, writes: Sequence[Write]) -> list[Outcome]:
        record_type = RECORD_TYPES.get(entity)
        if record_type is None:
            raise ValueError(f"NetSuite has no write-back mapping for entity {entity!r}; known: {sorted(RECORD_TYPES)}")
        needs_lookups = any(k in ("currency_code", "payment_terms") for w in writes for k in w.values)
        currencies, terms = self._lookups() if needs_lookups else ({}, {})
        creates = sorted({w.external_id for w in writes if w.operation == "create" and w.external_id})
        existing = self._existing_external_ids(record_type, creates) if creates else set()
        self._current_token()  # refused credentials stop here, before any worker starts
        with ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="netsuite-write") as pool:
            futures = [pool.submit(self._write_one, entity, w, currencies, terms, existing) for w in writes]
            return [f.result() for f in futures]

    def confirm(self, entity: str, writes: Sequence[Write]) -> list[ReadBack | None]:
        needs_lookups = any(k in ("currency_code", "payment_terms") for w in writes for k in w.values)
        currencies, terms = self._lookups() if needs_lookups else ({}, {})
        self._current_token()
        with ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="netsuite-read") as pool:
            futures = [pool.submit(self._confirm_one, entity, w, currencies, terms) for w in writes]
            return [f.result() for f in futures]

    def _confirm_one(self, entity: str, w: Write, currencies: dict[str, str], terms: dict[str, str]) -> ReadBack | None:
        body, problem = self._body(entity, w, currencies, terms)
        key = w.target_record_id if w.operation == "update" else w.external_id
        if problem or not key:  # it could not have been sent
            return ReadBack(False)
        ref = quote(str(key), safe="") if w.operation == "update" else f"eid:{quote(str(key), safe='')}"
        params = {"expandSubResources": "true"} if ADDRESS_BOOK in body else None
        sent = self._send("GET", f"/record/v1/{RECORD_TYPES[entity]}/{ref}", None, params)
        return read_back(sent, lambda record: holds_values(record, body))

    def _body(
        self, entity: str, w: Write, currencies: dict[str, str], terms: dict[str, str]
    ) -> tuple[dict[str, Any], str | None]:
        if entity in CHARGE_KINDS:
            body, problem = _charge_body(entity, w, currencies)
        else:
            body, problem = self._customer_body(w, currencies, terms)
        if w.operation == "update" and w.external_id and not problem:
            body["externalId"] = w.external_id
        return body, problem

    def _customer_body(
        self, w: Write, currencies: dict[str, str], terms: dict[str, str]
    ) -> tuple[dict[str, Any], str | None]:
        body: dict[str, Any] = {}
        address: dict[str, Any] = {}
        for name, value in w.values.items():
            value = None if value == "" else value
            if name in ADDRESS_FIELDS:
                address[ADDRESS_FIELDS[name]] = value
            elif name in TEXT_FIELDS:
                body[TEXT_FIELDS[name]] = value
            elif name not in REFERENCE_FIELDS:
                return {}, f"field {name!r} cannot be written to a NetSuite customer"
            elif value is None:
                body[REFERENCE_FIELDS[name]] = None
            elif name == "currency_code":
                if value.upper() not in currencies:
                    return {}, f"NetSuite has no currency {value!r} (known: {', '.join(sorted(currencies))})"
                body["currency"] = {"id": currencies[value.upper()]}
            elif name == "payment_terms":
                if value.lower() not in terms:
                    return {}, f"NetSuite has no payment terms {value!r}"
                body["terms"] = {"id": terms[value.lower()]}
            else:
                body["subsidiary"] = {"id": value}
        if address:
            # The line to update is found at write time (`_address_book_line`); until then a new line.
            body[ADDRESS_BOOK] = {"items": [{"defaultBilling": True, "addressBookAddress": address}]}
        return body, None

    def _write_one(
        self, entity: str, w: Write, currencies: dict[str, str], terms: dict[str, str], existing: set[str]
    ) -> Outcome:
        record_type = RECORD_TYPES[entity]
        if w.operation == "update" and not w.target_record_id:
            return local_failure(w.sync_key, f"an update needs the NetSuite {record_type} id (target_record_id)")
        if w.operation == "create" and not w.external_id:
            return local_failure(w.sync_key, f"a create needs an external id to upsert the {record_type} on")
        body, problem = self._body(entity, w, currencies, terms)
        if problem:
            return local_failure(w.sync_key, problem)
        params: dict[str, str] = {}
        if w.operation == "update":
            path = f"/record/v1/{record_type}/{quote(str(w.target_record_id), safe='')}"
            if ADDRESS_BOOK in body:
                found = self._default_billing_line(path)
                if isinstance(found, Sent):
                    return found.failure(
                        w.sync_key, _error_detail(found.response) if found.response is not None else None
                    )
                if found is not None:  # update that line, only the fields to change
                    [line] = body[ADDRESS_BOOK]["items"]
                    body[ADDRESS_BOOK] = {"items": [{"id": found, "addressBookAddress": line["addressBookAddress"]}]}
            sent = self._send("PATCH", path, body)
        else:
            if ADDRESS_BOOK in body:
                params["replace"] = ADDRESS_BOOK
            path = f"/record/v1/{record_type}/eid:{quote(str(w.external_id), safe='')}"
            sent = self._send("PUT", path, body, params)
        if sent.status != 204 or sent.response is None:
            return sent.failure(w.sync_key, _error_detail(sent.response) if sent.response is not None else None)
        record_id = w.target_record_id
        location = sent.response.headers.get("Location")
        if location:
            record_id = location.rstrip("/").rsplit("/", 1)[-1]
        return Outcome(
            w.sync_key,
            ok=True,
            target_record_id=record_id,
            http_status=204,
            correlation_id=sent.correlation_id,
            attempts=sent.attempts,
            created=w.operation == "create" and w.external_id not in existing,
        )

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = new_session(self.config.http, {"Accept": "application/json"})
            self._local.session = session
        return session

    def _default_billing_line(self, path: str) -> Any:
        """The `id` of the customer's default billing address book line (None when it has none),
        or the failed read (a Sent)."""
        sent = self._send("GET", path, None, {"expandSubResources": "true"})
        record = json_body(sent.response) if sent.status == 200 and sent.response is not None else None
        if not isinstance(record, dict):
            return sent
        book = record.get(ADDRESS_BOOK) or record.get(ADDRESS_BOOK.lower()) or {}
        for line in book.get("items") or []:
            if isinstance(line, dict) and line.get("defaultBilling") is True:
                return line.get("id")
        return None

    def _send(self, method: str, path: str, body: dict[str, Any] | None, params: dict[str, str] | None = None) -> Sent:
        """One record request; a 401 gets one fresh token, a second 401 is fatal."""
        url = f"{self.base_url}{path}"
        sent: Sent | None = None
        for _ in (1, 2):
            token = self._current_token()
            sent = self._sender.send(
                self._session(),
                method,
                url,
                json=body,
                params=params or None,
                headers={"Authorization": f"Bearer {token}"},
                correlation_id=sent.correlation_id if sent else None,
                attempts_before=sent.attempts if sent else 0,
            )
            if sent.status != 401:
                return sent
            self._client.login.discard(token)  # unless another worker already renewed it
        detail = _error_detail(sent.response) if sent and sent.response is not None else ""
        raise TargetFatalError(
            one_line(
                f"NetSuite refused a fresh token on the record API (401 {detail}); check that the integration's "
                "role may edit customers and charges through REST web services"
            )
        )
