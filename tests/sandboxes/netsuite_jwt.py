"""Client assertions for the NetSuite sandbox's OAuth 2.0 client credentials (M2M) endpoint,
crafted with PyJWT as NetSuite documents them, so a test can break any one part."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
OMIT = object()  # a claim or header value to leave out


def private_pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: Any) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def assertion(
    key: Any,
    *,
    kid: str,
    iss: str,
    aud: str,
    alg: str = "PS256",
    scope: Any = ("rest_webservices",),
    iat: Any = None,
    exp: Any = None,
) -> str:
    """A signed client assertion; any claim given as OMIT is left out."""
    now = int(time.time())
    claims = {
        "iss": iss,
        "scope": list(scope) if isinstance(scope, tuple) else scope,
        "aud": aud,
        "iat": now if iat is None else iat,
        "exp": now + 300 if exp is None else exp,
    }
    claims = {k: v for k, v in claims.items() if v is not OMIT}
    return jwt.encode(claims, key, algorithm=alg, headers={"typ": "JWT", "kid": kid})


def form(client_assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": client_assertion,
    }


def sandbox_key(source_settings: dict[str, str]) -> Any:
    """The private key the sandbox generated for its own certificate."""
    return serialization.load_pem_private_key(Path(source_settings["private_key_path"]).read_bytes(), password=None)
