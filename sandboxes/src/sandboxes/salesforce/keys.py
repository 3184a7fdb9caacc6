"""The connected app's JWT signing key pair: an RSA private key (Concord's, to sign JWT
bearer assertions) and the self-signed X.509 certificate an administrator would upload to
the connected app ("Use digital signatures"), against which the sandbox verifies them.

Generated locally with `cryptography` the first time a Salesforce sandbox starts on a
store, written into the store directory as PEM files readable only by their owner (0600).
They are the sandbox's own, never committed (the store directory is git-ignored) and
worthless against any real org.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandboxes.common import certificates

PRIVATE_KEY_FILE = "salesforce-jwt-private-key.pem"
CERTIFICATE_FILE = "salesforce-jwt-certificate.pem"


@dataclass(frozen=True)
class JwtKeyFiles:
    private_key: Path
    certificate: Path


def key_files(store_dir: Path | str) -> JwtKeyFiles:
    """Where the store's key pair lives (whether or not it was generated yet)."""
    directory = Path(store_dir)
    return JwtKeyFiles(directory / PRIVATE_KEY_FILE, directory / CERTIFICATE_FILE)


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str = "Concord sandbox connected app") -> bytes:
    return certificates.self_signed_certificate(key, common_name, valid_days=3650)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)


def ensure_key_pair(store_dir: Path | str) -> JwtKeyFiles:
    """The store's key pair, generated (0600 PEM files) if either file is missing."""
    files = key_files(store_dir)
    if files.private_key.exists() and files.certificate.exists():
        return files
    files.private_key.parent.mkdir(parents=True, exist_ok=True)
    key = new_private_key()
    _write_private(files.private_key, private_key_pem(key))
    _write_private(files.certificate, self_signed_certificate(key))
    return files


JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def jwt_bearer_form(
    private_key_path: Path | str,
    client_id: str,
    username: str,
    audience: str,
    lifetime_seconds: int = 180,
    **claims: object,
) -> dict[str, str]:
    """The token request form of the JWT bearer flow, signed with the store's private key:
    for scripts and tests that need a session on the sandbox without Concord's connector.
    `claims` replace or add JWT claims (e.g. `exp=` in the past)."""
    import time

    import jwt

    payload = {"iss": client_id, "sub": username, "aud": audience, "exp": int(time.time()) + lifetime_seconds, **claims}
    assertion = jwt.encode(payload, Path(private_key_path).read_text(), algorithm="RS256")
    return {"grant_type": JWT_BEARER_GRANT, "assertion": assertion}
