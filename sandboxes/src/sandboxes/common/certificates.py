"""Self-signed X.509 certificates for the sandboxes' generated key pairs: the certificate an
administrator would upload to the vendor (Salesforce's connected app, NetSuite's M2M mapping),
against which a sandbox verifies the JWTs signed with the private key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID


def self_signed_certificate(key: CertificateIssuerPrivateKeyTypes, common_name: str, valid_days: int) -> bytes:
    """The PEM certificate of `key`'s public key, signed by `key`, valid from yesterday."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
