"""What every vendor's doctor does the same way: patient-but-brief HTTP, the reachability
check, and the fields the ownership file sends each system."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from concord.doctor import Finding, Stop
from ingestion.config import HttpSettings
from ingestion.http import SourceFatalError
from reverse_etl.syncs import syncs

# A doctor answers in seconds: two attempts, short timeouts (a run is more patient).
DOCTOR_HTTP = HttpSettings(max_attempts=2, backoff_factor=0.5, max_retry_delay_seconds=2.0, timeout_seconds=20.0)


def reachable(system: str, base_url: str, verify: str | bool = True) -> Finding:
    """The host answers HTTP at all (any status): DNS, network, TLS and proxy are fine."""
    host = urlsplit(base_url).netloc or base_url
    try:
        response = requests.get(base_url, timeout=DOCTOR_HTTP.timeout_seconds, verify=verify, allow_redirects=False)
    except requests.exceptions.SSLError as exc:
        raise Stop(
            Finding(system, "reachable", False, f"TLS to {host} failed ({_first_line(exc)}); check the CA bundle")
        ) from None
    except requests.RequestException as exc:
        raise Stop(
            Finding(
                system,
                "reachable",
                False,
                f"{host} does not answer ({_first_line(exc)}); check base_url and the network",
            )
        ) from None
    return Finding(system, "reachable", True, f"{host} answers (HTTP {response.status_code})")


def logged_in(system: str, login: Callable[[], object], detail: str) -> Finding:
    """Runs the connector's own login; a refusal stops the system's checks with its message."""
    try:
        login()
    except SourceFatalError as exc:
        raise Stop(Finding(system, "login", False, str(exc))) from None
    return Finding(system, "login", True, detail)


def sent_fields(system: str) -> dict[str, tuple[str, ...]]:
    """Per canonical entity, the fields the ownership file has Concord write to `system`
    (the owned ones and what a create carries besides)."""
    fields: dict[str, tuple[str, ...]] = {}
    for sync in syncs():
        if sync.target == system:
            fields[sync.entity] = tuple(dict.fromkeys((*sync.fields, *sync.create_fields)))
    return fields


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
