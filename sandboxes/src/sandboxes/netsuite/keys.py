"""The key pair of the sandbox's OAuth 2.0 client credentials (M2M) mapping, generated locally.

The first time the NetSuite sandbox starts on a store it creates `<store>/netsuite-m2m/`
with an RSA private key (`private_key.pem`, PKCS#8) and a self-signed X.509 certificate of
its public key (`certificate.pem`), both mode 0600. Like an administrator who uploads the
certificate in NetSuite's M2M setup, the sandbox maps that certificate to its client id under
`NetSuiteSettings.certificate_id`; Concord is given the private key's path. Nothing of this is
committed: a store lives under `.concord/` (git-ignored), and a later start reuses the pair.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandboxes.common import certificates

KEY_DIR = "netsuite-m2m"
PRIVATE_KEY = "private_key.pem"
CERTIFICATE = "certificate.pem"


def private_key_path(store_dir: Path | str) -> Path:
    """Where the private key of the store's key pair is (absolute, for another process)."""
    return (Path(store_dir) / KEY_DIR / PRIVATE_KEY).absolute()


def ensure_key_pair(store_dir: Path | str) -> str:
    """The PEM certificate of the store's key pair, generating the pair the first time."""
    directory = Path(store_dir) / KEY_DIR
    certificate = directory / CERTIFICATE
    if not certificate.exists() or not (directory / PRIVATE_KEY).exists():
        _generate(directory)
    return certificate.read_text()


def _generate(directory: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # NetSuite accepts certificates valid up to two years
    certificate = certificates.self_signed_certificate(key, "Concord NetSuite sandbox M2M", valid_days=730)
    directory.parent.mkdir(parents=True, exist_ok=True)
    # Written to a fresh directory, then renamed into place: two processes starting at once
    # never pair one's key with the other's certificate.
    staging = Path(tempfile.mkdtemp(prefix=f".{KEY_DIR}-", dir=directory.parent))
    try:
        _write_private(
            staging / PRIVATE_KEY,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        _write_private(staging / CERTIFICATE, certificate)
        if (directory / CERTIFICATE).exists() and (directory / PRIVATE_KEY).exists():
            return  # another process made the pair meanwhile
        if directory.exists():
            shutil.rmtree(directory)  # an incomplete pair from an interrupted start
        with contextlib.suppress(OSError):  # another process put its pair there first: use that one
            staging.rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
