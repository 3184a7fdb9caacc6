"""`concord doctor` for Harvest: the token and account, every list Concord lands, and whether
the token's user may create and edit what the ownership file sends Harvest."""

from __future__ import annotations

from collections.abc import Iterator

import requests

from concord.doctor import Finding, Stop
from concord.doctor.common import DOCTOR_HTTP, reachable, sent_fields
from ingestion.config import HarvestConfig
from ingestion.harvest.client import HarvestClient
from ingestion.harvest.tables import REGISTRY
from ingestion.http import SourceFatalError

SYSTEM = "harvest"
# Harvest's documented limit for a token (Concord paces its writes under it).
DOCUMENTED_LIMIT = "100 requests per 15 s per token"
# Who may create and edit clients and projects through the API: an administrator, or a manager
# allowed to create projects and to manage clients [unverified: a manager's exact permissions].
MANAGER_WRITING_ROLES = frozenset({"manager", "project_creator", "client_and_task_manager"})


def checks() -> Iterator[Finding]:
    config = HarvestConfig.resolve(http=DOCTOR_HTTP)
    yield reachable(SYSTEM, config.base_url)
    client = HarvestClient(config)
    base = config.base_url.rstrip("/")
    try:
        me = client.get(f"{base}/users/me").json()
    except SourceFatalError as exc:
        raise Stop(Finding(SYSTEM, "login", False, str(exc))) from None
    name = " ".join(filter(None, (me.get("first_name"), me.get("last_name")))) or f"user {me.get('id')}"
    yield Finding(SYSTEM, "login", True, f"token of {name}")
    version = base.rsplit("/", 1)[-1]
    yield Finding(
        SYSTEM, "API version", version == "v2", f"API {version}" if version == "v2" else "base_url must end in /v2"
    )
    for table in REGISTRY.tables:
        yield _readable(client, base, table.vendor_name)
    roles = set(me.get("access_roles") or [])
    writes = sent_fields(SYSTEM)
    if writes:
        entities = ", ".join(sorted(writes))
        if "administrator" in roles or roles >= MANAGER_WRITING_ROLES:
            yield Finding(
                SYSTEM, "write", True, f"{name} may create and edit {entities} (roles: {', '.join(sorted(roles))})"
            )
        else:
            yield Finding(
                SYSTEM,
                "write",
                False,
                f"{name} has roles {', '.join(sorted(roles)) or 'none'}: Concord writes {entities}, which needs an "
                "administrator's token (or a manager who may create projects and clients)",
            )
    yield Finding(SYSTEM, "limits", True, f"{DOCUMENTED_LIMIT} (Harvest's documented limit)")


def _readable(client: HarvestClient, base: str, resource: str) -> Finding:
    check = f"read {resource}"
    try:
        client.get(f"{base}/{resource}", {"per_page": 1})
    except SourceFatalError as exc:
        return Finding(SYSTEM, check, False, f"refused: {exc}")
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        return Finding(SYSTEM, check, False, f"/{resource} answered {status}: the account may lack the feature")
    return Finding(SYSTEM, check, True, f"/{resource} readable")
