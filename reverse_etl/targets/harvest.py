"""Harvest as a write-back target: canonical customers to Harvest clients, and canonical
projects to Harvest projects with their task assignments (`harvest_projects.py`).

- Update: `PATCH /clients/{id}` with only the fields to change (Harvest leaves the others).
- Create: Harvest has no upsert and no idempotency key, but client names are unique
  (case-insensitively). So a call with creates lists the clients once and looks each name
  up: a client already holding it is updated instead (`created=False`); otherwise
  `POST /clients`. A create that carries the address block is only matched to a client at
  that same address (an earlier attempt's): one of that name elsewhere may be another
  customer, so the row is refused for a person to decide rather than written into it. A POST refused with "Name has already been taken" after a retry means the
  earlier attempt landed (its response was lost): the client is found by name again and
  reported as created, never made twice.
- Fields: legal_name -> `name`, currency_code -> `currency`; on a create also
  billing_address -> `address` (the whole block). Harvest holds an address only as one
  free-text block (street, city and country together), so billing_country alone is not
  writable: writing it would overwrite the rest of the address.
- Read back (`confirm`): an update's client by id, a create's by its check-before-create key
  (the name), compared with the fields the write sent (spacing and case aside, as Harvest may
  hand text back); projects by their code (`harvest_projects.py`).
- Pacing: a client-side sliding window (Harvest allows 100 requests per 15 s per token) keeps
  a large backlog from meeting 429s; a 429 that still comes is retried after `Retry-After`.
- Credentials: a personal access token, or an OAuth access token refreshed by the
  connector's `ingestion.harvest.auth` (when due, or once after a 401). A 401 that remains
  (token or account id refused) raises TargetFatalError; a client list that cannot be read
  because Harvest does not answer (or answers 429/5xx) raises TargetUnavailableError.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ingestion.config import HarvestConfig
from ingestion.harvest.auth import HarvestTokens
from ingestion.http import SourceFatalError
from reverse_etl.targets.base import Outcome, ReadBack, TargetFatalError, Write
from reverse_etl.targets.harvest_projects import PROJECT_FIELDS, ProjectsWriter
from reverse_etl.targets.http import (
    Sender,
    Sent,
    WindowPacer,
    json_body,
    local_failure,
    new_session,
    one_line,
    read_back,
    unavailable,
)

SYSTEM = "harvest"
CLIENT_FIELDS = {"legal_name": "name", "currency_code": "currency", "billing_address": "address"}
NAME_TAKEN = "has already been taken"
SECRETS_HINT = (
    "check sources.harvest.access_token and sources.harvest.account_id "
    "(SOURCES__HARVEST__ACCESS_TOKEN / SOURCES__HARVEST__ACCOUNT_ID)"
)


def _message(sent: Sent) -> str | None:
    """Harvest's own words: `message`, or `error: error_description`, or the raw body."""
    if sent.response is None:
        return None
    body = json_body(sent.response)
    if isinstance(body, dict):
        if body.get("message"):
            return str(body["message"])
        if body.get("error"):
            return f"{body['error']}: {body.get('error_description', '')}".rstrip(": ")
    return sent.response.text


# Harvest counts requests per access token: targets sharing a token in one process share a pacer.
_PACERS: dict[tuple[str, str, str, int, float], WindowPacer] = {}
_PACERS_LOCK = threading.Lock()


def _pacer(config: HarvestConfig, limit: int, window_seconds: float) -> WindowPacer:
    key = (config.base_url.rstrip("/"), str(config.account_id), config.access_token, limit, window_seconds)
    with _PACERS_LOCK:
        if key not in _PACERS:
            _PACERS[key] = WindowPacer(limit, window_seconds)
        return _PACERS[key]


class HarvestTarget:
    """Writes canonical customers to Harvest clients, paced under Harvest's rate limit."""

    system = SYSTEM

    def __init__(
        self,
        config: HarvestConfig,
        rate_limit_requests: int = 100,
        rate_limit_window_seconds: float = 15.0,
    ) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self._session = new_session(
            config.http,
            {
                "Harvest-Account-Id": str(config.account_id),
                "User-Agent": config.user_agent,
                "Accept": "application/json",
            },
        )
        self._tokens = HarvestTokens(config, self._session)  # the connector's token refresh, shared
        self._session.headers["Authorization"] = f"Bearer {self._tokens.access_token}"
        pacer = _pacer(config, rate_limit_requests, rate_limit_window_seconds)
        self._sender = Sender(config.http, pacer=pacer)
        # for a POST that must not be resent blindly (a project: Harvest would make a second one)
        self._sender_once = Sender(replace(config.http, max_attempts=1), pacer=pacer)
        self._addresses: dict[int, str | None] = {}  # client id -> address, as last listed

    def writable_fields(self) -> Mapping[str, frozenset[str]]:
        return {"customer": frozenset(CLIENT_FIELDS), "project": frozenset(PROJECT_FIELDS)}

    def _send(self, method: str, path: str, retry: bool = True, **kwargs: Any) -> Sent:
        """One request to a path under the base URL (or a full URL, e.g. a links.next)."""
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        sender = self._sender if retry else self._sender_once
        sent = self._authorized(sender, method, url, **kwargs)
        if sent.status == 401:
            raise TargetFatalError(
                one_line(f"Harvest refused the credentials (401 {_message(sent)}) at {self.base_url}; {SECRETS_HINT}")
            )
        return sent

    def _authorized(self, sender: Sender, method: str, url: str, **kwargs: Any) -> Sent:
        """Sends with the current token; an OAuth token that is due, or refused with a 401,
        is refreshed (shared with the connector) and the request sent once more."""
        try:
            if self._tokens.due():
                self._use(self._tokens.refresh())
            sent = sender.send(self._session, method, url, **kwargs)
            if sent.status == 401 and self._tokens.refreshable:
                self._use(self._tokens.refresh(refused=self._tokens_sent))
                again = {**kwargs, "correlation_id": sent.correlation_id, "attempts_before": sent.attempts}
                sent = sender.send(self._session, method, url, **again)
        except SourceFatalError as exc:
            raise TargetFatalError(one_line(str(exc))) from None
        return sent

    @property
    def _tokens_sent(self) -> str:
        return str(self._session.headers["Authorization"]).removeprefix("Bearer ")

    def _use(self, token: str) -> None:
        self._session.headers["Authorization"] = f"Bearer {token}"

    def _clients_by_name(self) -> dict[str, int]:
        """Every client's id by its lower-cased name (one listing, following links.next)."""
        by_name: dict[str, int] = {}
        self._addresses.clear()
        url: str | None = f"{self.base_url}/clients"
        params: dict[str, Any] | None = {"per_page": 2000}
        while url:
            sent = self._authorized(self._sender, "GET", url, params=params)
            if sent.status == 401:
                raise TargetFatalError(
                    one_line(f"Harvest refused the credentials (401 {_message(sent)}); {SECRETS_HINT}")
                )
            body = json_body(sent.response) if sent.status == 200 and sent.response is not None else None
            if not isinstance(body, dict) or not isinstance(body.get("clients"), list):
                down = unavailable(sent, "listing Harvest's clients to check before creating")
                if down is not None:
                    raise down
                detail = sent.network_error if sent.response is None else f"{sent.status}: {_message(sent)}"
                raise TargetFatalError(
                    one_line(f"Harvest's client list could not be read to check before creating ({detail})")
                )
            for client in body["clients"]:
                by_name[str(client["name"]).lower()] = int(client["id"])
                self._addresses[int(client["id"])] = client.get("address")
            url, params = (body.get("links") or {}).get("next"), None
        return by_name

    def _projects(self) -> ProjectsWriter:
        return ProjectsWriter(self._send, _message, self.config.http.max_attempts, self._pause)

    def confirm(self, entity: str, writes: Sequence[Write]) -> list[ReadBack | None]:
        if entity == "project":
            return self._projects().confirm(writes)
        existing = self._clients_by_name() if any(w.operation == "create" for w in writes) else {}
        return [self._confirm_client(w, existing) for w in writes]

    def _confirm_client(self, w: Write, existing: dict[str, int]) -> ReadBack | None:
        body, problem = self._body(w)
        client_id = w.target_record_id if w.operation == "update" else existing.get(str(body.get("name")).lower())
        if problem or client_id is None:
            return ReadBack(False)
        return read_back(
            self._send("GET", f"/clients/{client_id}"),
            lambda client: all(_same_text(_text(client.get(k)), _text(v)) for k, v in body.items()),
        )

    def write(self, entity: str, writes: Sequence[Write]) -> list[Outcome]:
        if entity == "project":
            return self._projects().write(writes)
        if entity != "customer":
            raise ValueError(f"Harvest has no write-back mapping for entity {entity!r}; known: ['customer', 'project']")
        # listed before anything is written: a listing that fails stops the call before any
        # write's outcome could be lost with it
        existing = self._clients_by_name() if any(w.operation == "create" for w in writes) else {}
        outcomes: list[Outcome] = []
        for w in writes:
            body, problem = self._body(w)
            if problem:
                outcomes.append(local_failure(w.sync_key, problem))
            elif w.operation == "update":
                outcomes.append(self._update(w.sync_key, str(w.target_record_id), body))
            else:
                outcomes.append(self._create(w.sync_key, body, existing))
        return outcomes

    def _pause(self, attempt: int) -> float:
        return self._sender.backoff(attempt, None)

    @staticmethod
    def _body(w: Write) -> tuple[dict[str, Any], str | None]:
        if w.operation == "update" and not w.target_record_id:
            return {}, "an update needs the Harvest client id (target_record_id)"
        body: dict[str, Any] = {}
        for name, value in w.values.items():
            if name not in CLIENT_FIELDS:
                return {}, f"field {name!r} cannot be written to Harvest clients"
            body[CLIENT_FIELDS[name]] = value if value != "" else None
        if w.operation == "create" and not body.get("name"):
            return {}, "creating a Harvest client needs legal_name (the client's name)"
        return body, None

    def _update(self, sync_key: str, client_id: str, body: dict[str, Any], attempts_before: int = 0) -> Outcome:
        sent = self._send("PATCH", f"/clients/{client_id}", json=body, attempts_before=attempts_before)
        if sent.status == 200:
            return Outcome(
                sync_key,
                ok=True,
                target_record_id=client_id,
                http_status=200,
                correlation_id=sent.correlation_id,
                attempts=sent.attempts,
            )
        return sent.failure(sync_key, _message(sent))

    def _another_customers(self, client_id: int, body: dict[str, Any]) -> str | None:
        """Why the client holding the name is not the one this create means, or None."""
        if "address" not in body or _same_text(self._addresses.get(client_id), body["address"]):
            return None
        return (
            f"Harvest already has a client named {body['name']!r} (id {client_id}) at another address; "
            f"it may be another customer: a person decides (merge them, or rename one)"
        )

    def _create(self, sync_key: str, body: dict[str, Any], existing: dict[str, int]) -> Outcome:
        name = str(body["name"]).lower()
        if name in existing:  # checked before creating: the client exists, update it instead
            problem = self._another_customers(existing[name], body)
            if problem:
                return local_failure(sync_key, problem)
            return self._update(sync_key, str(existing[name]), body)
        sent = self._send("POST", "/clients", json=body)
        created = json_body(sent.response) if sent.status == 201 and sent.response is not None else None
        if isinstance(created, dict) and "id" in created:
            existing[name] = int(created["id"])
            self._addresses[int(created["id"])] = body.get("address")
            return Outcome(
                sync_key,
                ok=True,
                target_record_id=str(created["id"]),
                http_status=201,
                correlation_id=sent.correlation_id,
                attempts=sent.attempts,
                created=True,
            )
        message = _message(sent)
        if sent.status == 422 and message and NAME_TAKEN in message:
            existing.update(self._clients_by_name())
            problem = self._another_customers(existing[name], body) if name in existing else None
            if problem:
                return local_failure(sync_key, problem)
            if name in existing:
                if sent.attempts > 1:  # an earlier attempt made it and its answer was lost
                    return Outcome(
                        sync_key,
                        ok=True,
                        target_record_id=str(existing[name]),
                        http_status=422,
                        correlation_id=sent.correlation_id,
                        attempts=sent.attempts,
                        created=True,
                        extra={"note": "created by an earlier attempt whose response was lost"},
                    )
                # made by someone else since the listing: update it instead
                return self._update(sync_key, str(existing[name]), body, attempts_before=sent.attempts)
        return sent.failure(sync_key, message)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _same_text(a: str | None, b: str | None) -> bool:
    """Equal once spacing and letter case are set aside (how Harvest may hand text back)."""
    return " ".join((a or "").split()).lower() == " ".join((b or "").split()).lower()
