"""What the three targets share about HTTP: a session that does not retry on its own, one
request sent with bounded retries that counts its attempts, a pacer for per-window rate
limits, the mapping from a failed response to the ledger's error categories, and how a record
read back is compared with what a write sent.

The ingestion session (`ingestion.http.session`) retries inside `requests`, which hides how
many attempts a row cost and would resend a create without the target's say; writes go
through `send` instead. Every attempt of one logical request carries the same
`X-Correlation-Id`, so the vendor's logs tie the retries together. Credentials live in the
session's headers only and are never part of a message this module builds.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import requests

from ingestion.config import HttpSettings
from reverse_etl.targets.base import Outcome, ReadBack, TargetUnavailableError

CORRELATION_HEADER = "X-Correlation-Id"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
MESSAGE_LIMIT = 500


def new_session(settings: HttpSettings, headers: Mapping[str, str] | None = None) -> requests.Session:
    """A plain session (no retry adapter): `send` decides what to retry and counts it."""
    s = requests.Session()
    s.trust_env = False  # proxies / CA bundles from the environment must not override `verify`
    s.verify = settings.verify
    if headers:
        s.headers.update(headers)
    return s


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def one_line(message: str) -> str:
    """A message on one line (a fatal error is shown to a person as one line)."""
    return " ".join(message.split())


def trim(message: str | None) -> str | None:
    return None if message is None else message[:MESSAGE_LIMIT]


def category(status: int) -> str:
    """The ledger's error category for a failed HTTP status."""
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status in (300, 409):
        return "conflict"
    if status == 429:
        return "rate_limit"
    if status >= 500:
        return "server"
    return "validation"


def unavailable(sent: Sent, what: str) -> TargetUnavailableError | None:
    """The error for a request every row needs that failed transiently (no answer, 429, 5xx),
    or None when the vendor answered something else (the caller's to judge)."""
    if sent.response is None:
        return TargetUnavailableError(one_line(f"{what} failed: {sent.network_error}"), "network")
    if sent.status in RETRIED_STATUSES:
        return TargetUnavailableError(one_line(f"{what} failed: HTTP {sent.status}"), category(int(sent.status)))
    return None


def holds_values(record: Any, sent: Any) -> bool:
    """Whether a record read back holds what a write sent in the vendor's own shape: every
    field sent has that value (a reference `{"id": …}` the same id, a number the same amount,
    a sublist's line some line holding it); fields not sent are not compared."""
    if isinstance(sent, dict):
        return isinstance(record, dict) and all(holds_values(record.get(k), v) for k, v in sent.items())
    if isinstance(sent, list):
        lines = record if isinstance(record, list) else []
        return all(any(holds_values(line, wanted) for line in lines) for wanted in sent)
    if sent is None or sent == "":
        return record is None or record == "" or record == {}
    if isinstance(sent, bool):
        return record is sent
    if isinstance(sent, int | float):
        try:
            return abs(float(record) - float(sent)) < 0.005
        except (TypeError, ValueError):
            return False
    return record is not None and str(record) == str(sent)


def read_back(
    sent: Sent, holds: Callable[[dict[str, Any]], bool], id_key: str = "id", absent: Collection[int] = (404,)
) -> ReadBack | None:
    """A record read back (`sent`, a GET of it): whether it `holds` what a write sent, False when
    the vendor has no such record, None when it did not answer (asked again by a later run)."""
    if sent.status in absent:
        return ReadBack(False)
    record = json_body(sent.response) if sent.status == 200 and sent.response is not None else None
    if not isinstance(record, dict):
        return None
    found = record.get(id_key)
    return ReadBack(holds(record), None if found is None else str(found))


def json_body(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def local_failure(sync_key: str, message: str, category: str = "validation") -> Outcome:
    """A row refused before any request (a value the target cannot convert or map)."""
    return Outcome(sync_key, ok=False, error_category=category, message=trim(message), attempts=0)


@dataclass
class Sent:
    """The result of one logical request after its retries."""

    response: requests.Response | None  # None: no response at all (network failure)
    attempts: int
    correlation_id: str
    network_error: str | None = None  # what the last attempt failed with, when no response

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code

    def failure(self, sync_key: str, message: str | None = None, extra: Mapping[str, str] | None = None) -> Outcome:
        """The row's Outcome when this request failed: `network` without a response, else
        the status's category with the vendor's message."""
        if self.response is None:
            return Outcome(
                sync_key,
                ok=False,
                error_category="network",
                message=trim(self.network_error),
                correlation_id=self.correlation_id,
                attempts=self.attempts,
            )
        return Outcome(
            sync_key,
            ok=False,
            http_status=self.response.status_code,
            error_category=category(self.response.status_code),
            message=trim(message if message is not None else self.response.text),
            correlation_id=self.correlation_id,
            attempts=self.attempts,
            extra=dict(extra or {}),
        )


class WindowPacer:
    """Client-side limit of `limit` requests per sliding `window_seconds`, thread-safe.

    A request takes a slot before it is sent and its slot is dated when its response
    arrives, which is never earlier than when the server counted it: pacing on those dates
    keeps a server's sliding window from ever seeing more than `limit` requests."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._done and self._done[0] <= now - self.window:
                    self._done.popleft()
                if len(self._done) + self._in_flight < self.limit:
                    self._in_flight += 1
                    return
                wait = self._done[0] + self.window - now if self._done else self.window / self.limit
            self._sleep(max(wait, 0.005))

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._done.append(self._clock())


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date), if present and readable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


class Sender:
    """Sends a request, retrying transient failures (429, 5xx, timeouts, dropped
    connections) up to `settings.max_attempts` with exponential backoff and jitter; a 429's
    `Retry-After` is honoured (capped at `max_retry_delay_seconds`)."""

    def __init__(
        self,
        settings: HttpSettings,
        pacer: WindowPacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.pacer = pacer
        self._sleep = sleep

    def backoff(self, attempt: int, response: requests.Response | None) -> float:
        s = self.settings
        if response is not None and response.status_code == 429:
            hinted = retry_after_seconds(response)
            if hinted is not None:
                return min(hinted, s.max_retry_delay_seconds)
        delay = min(s.backoff_factor * 2 ** (attempt - 1), s.max_retry_delay_seconds)
        return delay * (0.5 + random.random() / 2)

    def send(
        self,
        session: requests.Session,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        correlation_id: str | None = None,
        attempts_before: int = 0,
    ) -> Sent:
        """One logical request. `attempts_before` continues a count (e.g. after a re-login)."""
        correlation_id = correlation_id or new_correlation_id()
        all_headers = {CORRELATION_HEADER: correlation_id, **(headers or {})}
        data = None if json is None else orjson.dumps(json)
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        attempts = attempts_before
        response: requests.Response | None = None
        network_error: str | None = None
        for attempt in range(1, max(self.settings.max_attempts, 1) + 1):
            attempts += 1
            if self.pacer:
                self.pacer.acquire()
            try:
                response = session.request(
                    method,
                    url,
                    data=data,
                    params=params,
                    headers=all_headers,
                    timeout=self.settings.timeout_seconds,
                )
                network_error = None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                response, network_error = None, f"{type(exc).__name__}: {exc}"
            finally:
                if self.pacer:
                    self.pacer.release()
            transient = response is None or response.status_code in RETRIED_STATUSES
            if not transient or attempt >= self.settings.max_attempts:
                break
            self._sleep(self.backoff(attempt, response))
        return Sent(response, attempts, correlation_id, network_error)
