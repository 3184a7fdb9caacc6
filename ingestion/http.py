"""The HTTP client every source uses: dlt's requests helper, retrying what is transient
(429 honouring `Retry-After`, 5xx, timeouts, dropped connections) with exponential backoff,
and turning what is not (bad credentials, an exhausted daily limit) into a SourceFatalError
whose message says what to fix."""

from __future__ import annotations

import requests
from dlt.sources.helpers.requests import Client

from ingestion.config import HttpSettings


class SourceFatalError(Exception):
    """A failure retrying cannot fix; the run stops and says why."""


def session(settings: HttpSettings, headers: dict[str, str] | None = None) -> requests.Session:
    client = Client(
        request_timeout=settings.timeout_seconds,
        request_max_attempts=settings.max_attempts,
        request_backoff_factor=settings.backoff_factor,
        request_max_retry_delay=settings.max_retry_delay_seconds,
        respect_retry_after_header=True,
        raise_for_status=False,
    )
    s = client.session
    s.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment must not override `verify`
    s.verify = settings.verify
    if headers:
        s.headers.update(headers)
    return s


def check(response: requests.Response, system: str) -> requests.Response:
    """Raises SourceFatalError for auth/limit failures, HTTPError for anything else that is
    still failing after the retries; returns the response when it succeeded."""
    if response.status_code in (401, 403):
        raise SourceFatalError(
            f"{system} refused the credentials or the request ({response.status_code}: {response.text[:300]}); "
            f"check sources.{system}.* in .dlt/secrets.toml or the SOURCES__{system.upper()}__* environment variables"
        )
    response.raise_for_status()
    return response
