"""OAuth 2.0 client credentials (machine-to-machine) for the sandbox: the token endpoint and
the bearer check.

`POST /services/rest/auth/oauth2/v1/token`, form-encoded `grant_type=client_credentials`,
`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and
`client_assertion=<JWT>`, issues a bearer token valid for `token_ttl_seconds` (3600, as
NetSuite). The JWT is verified as NetSuite documents ("The Request Token Structure"):
- the header's `alg` is one of PS256, PS384, PS512, ES256, ES384, ES512 (RS256 and `none`
  are refused) and its `kid` is the Certificate ID of a certificate mapped to an integration
  (the store's generated key pair, `netsuite/keys.py`, under `NetSuiteSettings.certificate_id`,
  and any `NetSuiteSettings.certificates`);
- the signature verifies with that certificate's public key (PyJWT);
- `iss` is the client id the certificate is mapped to;
- `aud` is this token endpoint's URL, as the client reached it;
- `iat` and `exp` are present, `exp` has not passed, and `exp` is at most 60 minutes after `iat`;
- `scope` is present and names only known scopes the integration allows (`rest_webservices`,
  `restlets`, `suite_analytics`), as a comma-separated string or a JSON array (NetSuite's
  table says comma-separated; its sample request sends an array).
A client secret is never accepted: HTTP Basic or a `client_secret` field is refused.
Not checked: the header's `typ`.

Refusals are RFC 6749 error bodies (`{"error": ..., "error_description": ...}`), not the REST
error format: 400 `unsupported_grant_type`; 400 `invalid_request` for a missing or wrong
`client_assertion_type` or a `client_assertion` that is not a JWT; 401 `invalid_client` for a
client secret or an assertion that fails a check above; 400 `invalid_scope` for the scope.
[unverified] NetSuite documents the RFC 6749 body (`{"error": "<error_value>"}`) for the
authorization-code and refresh-token requests; which error value and status it gives for each
failed M2M check is not documented (its Login Audit Trail names InvalidSignature,
InvalidScope...), so the values above are RFC 6749's and RFC 7523's, and the descriptions are
the sandbox's own. Tokens live in memory and expire by wall-clock time (not the simulated
clock, which may jump days ahead).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from sandboxes.settings import NetSuiteCertificate, NetSuiteSettings

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
KNOWN_SCOPES = ("rest_webservices", "restlets", "suite_analytics")
MAX_ASSERTION_SECONDS = 3600  # exp may be at most 60 minutes after iat


class TokenRegistry:
    """Issued bearer tokens and their expiry (monotonic seconds)."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            # Forget expired tokens now and then, so the registry does not grow forever.
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.ttl_seconds
            self.issued += 1
        return token

    def is_valid(self, authorization: str | None) -> bool:
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        token = authorization[7:].strip()
        expiry = self._tokens.get(token)
        return expiry is not None and expiry > time.monotonic()


@dataclass(frozen=True)
class _Mapping:
    public_key: Any  # a cryptography public key
    client_id: str


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _public_key(pem: str) -> Any:
    data = pem.encode()
    if b"BEGIN CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def mappings(certificates: dict[str, NetSuiteCertificate]) -> dict[str, _Mapping]:
    """Certificate ID -> the public key and the client id it is mapped to."""
    return {kid: _Mapping(_public_key(c.public_key_pem), c.client_id) for kid, c in certificates.items()}


def _scopes(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return [s.strip() for s in value if s.strip()]
    return None


def verify_assertion(
    assertion: str, audience: str, certificates: dict[str, _Mapping], allowed_scopes: tuple[str, ...]
) -> dict[str, Any]:
    """The claims of a client assertion that passes every check, else Refused."""
    try:
        header = jwt.get_unverified_header(assertion)
        jwt.decode(assertion, options={"verify_signature": False})  # the payload is a JSON object
    except jwt.PyJWTError:
        raise Refused(400, "invalid_request", "client_assertion is not a JWT.") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise Refused(401, "invalid_client", f"JWT alg {alg!r} is not supported; use one of {', '.join(ALGORITHMS)}.")
    kid = header.get("kid")
    mapping = certificates.get(kid) if isinstance(kid, str) else None
    if mapping is None:
        raise Refused(401, "invalid_client", "The JWT's kid is not the ID of a certificate mapped to an integration.")
    try:
        claims = jwt.decode(
            assertion,
            mapping.public_key,
            algorithms=[alg],
            audience=audience,
            options={"require": ["iss", "aud", "iat", "exp"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise Refused(401, "invalid_client", "The JWT has expired (exp).") from None
    except jwt.InvalidAudienceError:
        raise Refused(401, "invalid_client", f"The JWT's aud must be the token endpoint, {audience}.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise Refused(401, "invalid_client", f"The JWT has no {exc.claim} claim.") from None
    except jwt.InvalidSignatureError:
        raise Refused(401, "invalid_client", "The JWT's signature is invalid for the certificate.") from None
    except jwt.DecodeError:
        raise Refused(400, "invalid_request", "client_assertion is not a JWT.") from None
    except (jwt.PyJWTError, TypeError, ValueError) as exc:  # e.g. an EC alg with an RSA certificate
        raise Refused(401, "invalid_client", f"The JWT cannot be verified with the certificate ({exc}).") from None
    if claims["iss"] != mapping.client_id:
        raise Refused(401, "invalid_client", "The JWT's iss is not the client ID the certificate is mapped to.")
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise Refused(401, "invalid_client", "The JWT's iat and exp must be numbers of seconds.")
    if exp - iat > MAX_ASSERTION_SECONDS:
        raise Refused(401, "invalid_client", "The JWT's exp must be at most 60 minutes after its iat.")
    scopes = _scopes(claims.get("scope"))
    if not scopes:
        raise Refused(400, "invalid_scope", "The JWT has no scope.")
    unknown = [s for s in scopes if s not in KNOWN_SCOPES or s not in allowed_scopes]
    if unknown:
        raise Refused(
            400, "invalid_scope", f"Scope {', '.join(unknown)} is unknown or not allowed for the integration."
        )
    return claims


def router(settings: NetSuiteSettings, tokens: TokenRegistry, generated_certificate_pem: str) -> APIRouter:
    api = APIRouter()
    certificates = mappings(
        {
            settings.certificate_id: NetSuiteCertificate(generated_certificate_pem, settings.client_id),
            **settings.certificates,
        }
    )

    @api.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials.")
        if request.headers.get("authorization", "").lower().startswith("basic ") or "client_secret" in form:
            return _oauth_error(
                401,
                "invalid_client",
                "Client secrets are not accepted: authenticate with a client_assertion JWT signed with the "
                "certificate mapped to the integration.",
            )
        if form.get("client_assertion_type") != JWT_BEARER:
            return _oauth_error(400, "invalid_request", f"client_assertion_type must be {JWT_BEARER}.")
        if not form.get("client_assertion"):
            return _oauth_error(400, "invalid_request", "client_assertion is missing.")
        audience = str(request.url.replace(query="", fragment="")).rstrip("?")
        try:
            verify_assertion(form["client_assertion"], audience, certificates, settings.scopes)
        except Refused as refused:
            return _oauth_error(refused.status, refused.error, refused.description)
        return JSONResponse(
            {"access_token": tokens.issue(), "expires_in": tokens.ttl_seconds, "token_type": "bearer"},
            headers={"Cache-Control": "no-store"},
        )

    return api


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
