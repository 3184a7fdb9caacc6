"""A locally generated certificate authority, so the sandboxes can serve HTTPS and
unmodified vendor client libraries (which insist on https) work against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path  # give this to clients (httpx verify=, REQUESTS_CA_BUNDLE, SSL_CERT_FILE)
    server_pem: Path  # server key + certificate chain


def issue(directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> TlsFiles:
    """Creates a fresh CA and a server certificate for `hosts` under `directory/tls`."""
    tls_dir = directory / "tls"
    tls_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Concord sandbox CA")
    server = ca.issue_cert(*hosts)
    files = TlsFiles(ca_cert=tls_dir / "ca.pem", server_pem=tls_dir / "server.pem")
    ca.cert_pem.write_to_path(str(files.ca_cert))
    server.private_key_and_cert_chain_pem.write_to_path(str(files.server_pem))
    files.server_pem.chmod(0o600)
    return files
