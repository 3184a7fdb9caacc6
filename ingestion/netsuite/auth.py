"""NetSuite's OAuth 2.0 client credentials (machine-to-machine) login: the one place Concord
logs in to NetSuite (the source's client and the write-back target share it).

`POST <base_url>/auth/oauth2/v1/token` with the form `grant_type=client_credentials`,
`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and
`client_assertion=<JWT>`; no client secret, no HTTP Basic. The JWT's header is `typ: JWT`,
`alg` (PS256/PS384/PS512 with an RSA key, ES256/ES384/ES512 with an EC key) and `kid`, the
Certificate ID NetSuite showed when the certificate was mapped to the integration; its
payload is `iss` (the integration's client id), `scope` (the configured comma-separated list,
sent as a JSON array as in NetSuite's sample request), `aud` (the token endpoint URL), `iat`
and `exp` (5 minutes later; NetSuite allows at most 60).

The access token (valid 60 minutes, `expires_in`) is reused until a minute before it
expires; a caller whose request gets a 401 discards it and asks once more. A refused login
is a one-line SourceFatalError naming what to check, with NetSuite's error text; neither the
private key nor the assertion is ever logged or put in a message.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import jwt
import orjson
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ingestion.config import NETSUITE_ALGORITHMS, NetSuiteConfig
from ingestion.http import SourceFatalError, check
from ingestion.netsuite.tables import SYSTEM

TOKEN_PATH = "/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 300  # the JWT's exp - iat; NetSuite refuses more than 3600
RENEW_BEFORE_SECONDS = 60  # a token is replaced this long before NetSuite would expire it
DEFAULT_TOKEN_SECONDS = 3600  # NetSuite's access tokens last 60 minutes
_EC_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def signing_key(config: NetSuiteConfig) -> PrivateKey:
    """The private key the JWT is signed with, checked against the algorithm; a missing file,
    a file or text that is not an unencrypted PEM private key, or a key of the wrong kind is a
    one-line SourceFatalError naming the setting (never showing the key)."""
    algorithm = config.algorithm.strip().upper()
    if algorithm not in NETSUITE_ALGORITHMS:
        raise SourceFatalError(
            f"SOURCES__NETSUITE__ALGORITHM is {config.algorithm!r}, which NetSuite does not accept; "
            f"use one of {', '.join(NETSUITE_ALGORITHMS)} (RS256 is refused)"
        )
    if config.private_key and config.private_key_path:
        raise SourceFatalError(
            "both SOURCES__NETSUITE__PRIVATE_KEY and SOURCES__NETSUITE__PRIVATE_KEY_PATH are set; set only one"
        )
    if config.private_key:
        setting, pem = "SOURCES__NETSUITE__PRIVATE_KEY", config.private_key.encode()
    else:
        setting = f"SOURCES__NETSUITE__PRIVATE_KEY_PATH ({config.private_key_path})"
        path = Path(config.private_key_path).expanduser()
        if not path.is_file():
            raise SourceFatalError(f"{setting} is not a file; point it at the PEM private key of the certificate")
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise SourceFatalError(f"{setting} cannot be read ({exc.strerror})") from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except Exception:  # noqa: BLE001 - ValueError, TypeError, UnsupportedAlgorithm; never chained or quoted
        key = None
    if key is None:
        raise SourceFatalError(f"{setting} is not an unencrypted PEM private key")
    if algorithm.startswith("PS"):
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SourceFatalError(
                f"{setting} is not an RSA private key, which SOURCES__NETSUITE__ALGORITHM {algorithm} needs"
            )
    elif not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, _EC_CURVES[algorithm]):
        raise SourceFatalError(
            f"{setting} is not an EC private key on curve {_EC_CURVES[algorithm].name}, "
            f"which SOURCES__NETSUITE__ALGORITHM {algorithm} needs"
        )
    return key


def scopes(config: NetSuiteConfig) -> list[str]:
    return [s.strip() for s in config.scope.split(",") if s.strip()]


class NetSuiteLogin:
    """The access token of one NetSuite integration, fetched when needed and shared by threads."""

    def __init__(self, config: NetSuiteConfig, session: requests.Session) -> None:
        self.config = config
        self.session = session
        self.token_url = f"{config.base_url.rstrip('/')}{TOKEN_PATH}"
        self._lock = threading.Lock()
        self._key: PrivateKey | None = None
        self._token: str | None = None
        self._renew_at = 0.0  # time.monotonic()
        self.logins = 0  # how many tokens were fetched

    def token(self) -> str:
        """The current access token, logging in when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                self._token, lifetime = self._fetch()
                self._renew_at = time.monotonic() + max(0.0, lifetime - RENEW_BEFORE_SECONDS)
                self.logins += 1
            return self._token

    def discard(self, token: str) -> None:
        """Forget `token` (NetSuite refused it): the next `token()` logs in again, unless another
        thread already did."""
        with self._lock:
            if self._token == token:
                self._token = None

    def assertion(self) -> str:
        """The signed JWT that proves Concord holds the certificate's private key."""
        if self._key is None:
            self._key = signing_key(self.config)
        now = int(time.time())
        claims = {
            "iss": self.config.client_id,
            "scope": scopes(self.config),
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        }
        headers = {"typ": "JWT", "kid": self.config.certificate_id}
        return jwt.encode(claims, self._key, algorithm=self.config.algorithm.strip().upper(), headers=headers)

    def _fetch(self) -> tuple[str, float]:
        response = self.session.post(
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": JWT_BEARER,
                "client_assertion": self.assertion(),
            },
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status_code in (400, 401, 403):
            raise SourceFatalError(
                f"NetSuite refused Concord's login at {self.token_url} ({response.status_code} {_oauth_error(response)}); "
                "check SOURCES__NETSUITE__CERTIFICATE_ID (the Certificate ID of the M2M mapping), that the private key "
                "(SOURCES__NETSUITE__PRIVATE_KEY_PATH / PRIVATE_KEY) is that certificate's, SOURCES__NETSUITE__CLIENT_ID "
                f"(the integration record's) and that the integration allows the scope {self.config.scope!r}"
            )
        check(response, SYSTEM)
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceFatalError(f"NetSuite's token endpoint answered without an access_token: {_one_line(response)}")
        return token, _seconds(body.get("expires_in"))


def _seconds(value: Any) -> float:
    """`expires_in` as seconds (a number or numeric text); NetSuite's 3600 when absent."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return float(DEFAULT_TOKEN_SECONDS)
    return seconds if seconds > 0 else float(DEFAULT_TOKEN_SECONDS)


def _oauth_error(response: requests.Response) -> str:
    """`error: error_description` of an OAuth error body, NetSuite's `o:errorDetails`, or the text."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return _one_line(response)
    if isinstance(body, dict) and "error" in body:
        description = body.get("error_description")
        return f"{body['error']}: {description}" if description else str(body["error"])
    if isinstance(body, dict) and isinstance(body.get("o:errorDetails"), list):
        return "; ".join(
            f"{d.get('o:errorCode', '')}: {d.get('detail', '')}" for d in body["o:errorDetails"] if isinstance(d, dict)
        )
    return _one_line(response)


def _one_line(response: requests.Response) -> str:
    return " ".join(response.text.split())[:300]
