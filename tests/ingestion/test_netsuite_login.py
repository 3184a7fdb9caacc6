"""NetSuite's OAuth 2.0 client credentials (M2M) login, specified through real HTTP against the
NetSuite sandbox (which verifies the JWT): one token reused until shortly before it expires,
a refused login or a bad key as one line naming what to check, and the account's host."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from sandboxes.serving import SandboxCluster
from sandboxes.settings import NetSuiteCertificate, NetSuiteSettings

from core.errors import ConcordError
from ingestion.config import NetSuiteConfig, netsuite_base_url
from ingestion.http import SourceFatalError
from ingestion.netsuite.client import NetSuiteClient
from tests.sandboxes import netsuite_jwt

QUERY = "SELECT COUNT(*) AS n FROM currency"  # one row, even in an empty store


@pytest.fixture
def sandbox(start_sandboxes: Callable[..., SandboxCluster]) -> Callable[..., SandboxCluster]:
    def start(**netsuite: object) -> SandboxCluster:
        return start_sandboxes(systems=("netsuite",), netsuite=NetSuiteSettings(**netsuite))  # type: ignore[arg-type]

    return start


def _config(cluster: SandboxCluster, **overrides: object) -> NetSuiteConfig:
    return NetSuiteConfig(**{**cluster.source_settings()["netsuite"], **overrides})  # type: ignore[arg-type]


def _logins(cluster: SandboxCluster) -> int:
    """How many tokens the sandbox issued (counted on its side of the wire)."""
    return cluster.running["netsuite"].app.state.tokens.issued


def _refusal(client: NetSuiteClient) -> str:
    with pytest.raises(SourceFatalError) as refused:
        client.suiteql(QUERY, limit=1)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_connector_logs_in_with_a_signed_jwt_and_reuses_its_token(sandbox) -> None:
    cluster = sandbox()
    client = NetSuiteClient(_config(cluster))
    for _ in range(3):
        page, _ = client.suiteql(QUERY, limit=1)
        assert page["items"]
    assert _logins(cluster) == 1


def test_the_assertion_is_the_one_netsuite_documents(sandbox) -> None:
    cluster = sandbox()
    client = NetSuiteClient(_config(cluster, scope="rest_webservices, restlets"))
    assertion = client.login.assertion()
    header = jwt.get_unverified_header(assertion)
    claims = jwt.decode(assertion, options={"verify_signature": False})
    assert header == {"typ": "JWT", "alg": "PS256", "kid": cluster.settings.netsuite.certificate_id}
    assert claims["iss"] == cluster.settings.netsuite.client_id
    assert claims["aud"] == f"{cluster.url('netsuite')}/services/rest/auth/oauth2/v1/token"
    assert claims["scope"] == ["rest_webservices", "restlets"]
    assert 0 < claims["exp"] - claims["iat"] <= 3600


def test_a_token_is_renewed_shortly_before_it_expires(sandbox) -> None:
    cluster = sandbox(token_ttl_seconds=61)  # renewed 60 s early: after one second
    client = NetSuiteClient(_config(cluster))
    client.suiteql(QUERY, limit=1)
    client.suiteql(QUERY, limit=1)
    assert _logins(cluster) == 1
    time.sleep(1.2)
    client.suiteql(QUERY, limit=1)
    assert _logins(cluster) == 2


def test_a_refused_token_gets_one_fresh_login(sandbox) -> None:
    cluster = sandbox()
    client = NetSuiteClient(_config(cluster))
    client.suiteql(QUERY, limit=1)
    client.login._token = "revoked-by-netsuite"  # noqa: SLF001 - as if NetSuite had revoked it
    page, _ = client.suiteql(QUERY, limit=1)
    assert page["items"] and _logins(cluster) == 2


def test_an_ec_key_signs_with_es256(sandbox, tmp_path: Path) -> None:
    key = netsuite_jwt.new_ec_key()
    certificate = NetSuiteCertificate(netsuite_jwt.public_pem(key), NetSuiteSettings().client_id)
    cluster = sandbox(certificates={"ec-cert": certificate})
    config = _config(
        cluster,
        certificate_id="ec-cert",
        algorithm="ES256",
        private_key_path="",
        private_key=netsuite_jwt.private_pem(key),
    )
    assert NetSuiteClient(config).suiteql(QUERY, limit=1)[0]["items"]


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        ({"certificate_id": "not-the-certificate"}, "SOURCES__NETSUITE__CERTIFICATE_ID"),
        ({"client_id": "another-integration"}, "SOURCES__NETSUITE__CLIENT_ID"),
        ({"scope": "rest_webservices,openid"}, "scope 'rest_webservices,openid'"),
    ],
    ids=["certificate_id", "client_id", "scope"],
)
def test_a_refused_login_is_one_line_naming_what_to_check(sandbox, overrides: dict, hint: str) -> None:
    message = _refusal(NetSuiteClient(_config(sandbox(), **overrides)))
    assert hint in message and "NetSuite refused Concord's login" in message
    assert "invalid_client" in message or "invalid_scope" in message  # NetSuite's own error text


def test_a_key_that_is_not_the_registered_certificates_is_refused(sandbox, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    pem = netsuite_jwt.private_pem(netsuite_jwt.new_rsa_key())
    other.write_text(pem)
    message = _refusal(NetSuiteClient(_config(sandbox(), private_key_path=str(other))))
    assert "signature" in message and "SOURCES__NETSUITE__PRIVATE_KEY_PATH" in message
    assert pem.splitlines()[1] not in message


@pytest.mark.parametrize(
    ("content", "algorithm", "complaint"),
    [
        (None, "PS256", "is not a file"),
        ("not a key", "PS256", "is not an unencrypted PEM private key"),
        ("ec", "PS256", "is not an RSA private key"),
        ("rsa", "ES256", "is not an EC private key on curve secp256r1"),
        ("rsa", "RS256", "SOURCES__NETSUITE__ALGORITHM"),
    ],
    ids=["missing", "not-pem", "ec-for-ps256", "rsa-for-es256", "rs256"],
)
def test_a_bad_key_file_is_one_line_naming_the_setting(
    tmp_path: Path, content: str | None, algorithm: str, complaint: str
) -> None:
    path = tmp_path / "key.pem"
    if content is not None:
        keys = {"ec": netsuite_jwt.new_ec_key, "rsa": netsuite_jwt.new_rsa_key}
        path.write_text(netsuite_jwt.private_pem(keys[content]()) if content in keys else content)
    config = NetSuiteConfig(
        base_url="http://127.0.0.1:9/services/rest",  # never reached: the key is checked first
        account_id="1234567",
        client_id="c",
        certificate_id="k",
        private_key_path=str(path),
        algorithm=algorithm,
    )
    with pytest.raises(SourceFatalError) as bad:
        NetSuiteClient(config).fetch_token()
    message = str(bad.value)
    assert complaint in message and "\n" not in message and "BEGIN" not in message
    if algorithm != "RS256":
        assert f"SOURCES__NETSUITE__PRIVATE_KEY_PATH ({path})" in message


def test_a_key_given_as_pem_text_logs_in(sandbox) -> None:
    cluster = sandbox()
    pem = Path(cluster.source_settings()["netsuite"]["private_key_path"]).read_text()
    client = NetSuiteClient(_config(cluster, private_key_path="", private_key=pem))
    assert client.suiteql(QUERY, limit=1)[0]["items"]
    assert pem.splitlines()[1] not in repr(client.config)  # the key stays out of logs and reprs


def test_missing_settings_are_named_by_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "CERTIFICATE_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "CLIENT_SECRET"):
        monkeypatch.delenv(f"SOURCES__NETSUITE__{name}", raising=False)
    monkeypatch.setenv("SOURCES__NETSUITE__ACCOUNT_ID", "1234567_SB1")
    monkeypatch.setenv("SOURCES__NETSUITE__CLIENT_ID", "client")
    with pytest.raises(ConcordError) as missing:
        NetSuiteConfig.resolve()
    message = str(missing.value)
    assert "\n" not in message and "SOURCES__NETSUITE__CERTIFICATE_ID" in message
    assert "SOURCES__NETSUITE__PRIVATE_KEY_PATH (or SOURCES__NETSUITE__PRIVATE_KEY" in message
    assert "BASE_URL" not in message and "CLIENT_SECRET" not in message


def test_resolve_reads_the_key_settings_and_derives_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCES__NETSUITE__BASE_URL", raising=False)
    monkeypatch.delenv("SOURCES__NETSUITE__PRIVATE_KEY", raising=False)
    monkeypatch.setenv("SOURCES__NETSUITE__ACCOUNT_ID", "1234567_SB1")
    monkeypatch.setenv("SOURCES__NETSUITE__CLIENT_ID", "client")
    monkeypatch.setenv("SOURCES__NETSUITE__CERTIFICATE_ID", "cert")
    monkeypatch.setenv("SOURCES__NETSUITE__PRIVATE_KEY_PATH", "/keys/netsuite.pem")
    monkeypatch.setenv("SOURCES__NETSUITE__TIME_ZONE", "America/Chicago")
    config = NetSuiteConfig.resolve()
    assert config.base_url == "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
    assert (config.certificate_id, config.private_key_path, config.algorithm) == ("cert", "/keys/netsuite.pem", "PS256")


@pytest.mark.parametrize(
    ("account_id", "host"),
    [
        ("1234567", "1234567.suitetalk.api.netsuite.com"),
        ("1234567_SB1", "1234567-sb1.suitetalk.api.netsuite.com"),
        ("1234567_sb2", "1234567-sb2.suitetalk.api.netsuite.com"),
        ("TSTDRV1234567", "tstdrv1234567.suitetalk.api.netsuite.com"),
    ],
)
def test_the_account_id_gives_the_host(account_id: str, host: str) -> None:
    assert netsuite_base_url(account_id) == f"https://{host}/services/rest"
    config = NetSuiteConfig(account_id=account_id, client_id="c", certificate_id="k", private_key_path="k.pem")
    assert config.base_url == f"https://{host}/services/rest"
    assert NetSuiteClient(config).login.token_url == f"https://{host}/services/rest/auth/oauth2/v1/token"


def test_a_base_url_that_is_set_wins_over_the_account_id() -> None:
    config = NetSuiteConfig(base_url="http://127.0.0.1:8703/services/rest", account_id="1234567_SB1")
    assert config.base_url == "http://127.0.0.1:8703/services/rest"
