"""Counts what each running sandbox holds, asked through the vendors' own APIs (so the
numbers prove the servers serve the data, not just that the store has it), for every table
the ingestion registries declare."""

from __future__ import annotations

import httpx
from sandboxes.salesforce.keys import jwt_bearer_form

from ingestion.config import HttpSettings, NetSuiteConfig
from ingestion.netsuite.client import NetSuiteClient
from ingestion.registry import registry

SALESFORCE_OBJECTS = tuple(table.vendor_name for table in registry("salesforce").tables)
HARVEST_RESOURCES = tuple(table.vendor_name for table in registry("harvest").tables)
NETSUITE_TABLES = tuple(table.vendor_name for table in registry("netsuite").tables)


def _client(verify: str | bool) -> httpx.Client:
    return httpx.Client(timeout=60, verify=verify, headers={"User-Agent": "Concord sandbox report"})


def salesforce_counts(info: dict, verify: str | bool = True) -> dict[str, int]:
    with _client(verify) as http:
        form = jwt_bearer_form(info["private_key_path"], info["client_id"], info["username"], info["base_url"])
        token = http.post(info["token_url"], data=form)
        token.raise_for_status()
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        base = f"{info['base_url']}/services/data/v{info['api_version']}"
        counts = {}
        for sobject in SALESFORCE_OBJECTS:
            response = http.get(f"{base}/query", params={"q": f"SELECT Id FROM {sobject}"}, headers=auth)
            response.raise_for_status()
            counts[sobject] = response.json()["totalSize"]
        return counts


def harvest_counts(info: dict, verify: str | bool = True) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {info['access_token']}", "Harvest-Account-Id": info["account_id"]}
    with _client(verify) as http:
        counts = {}
        for resource in HARVEST_RESOURCES:
            response = http.get(f"{info['base_url']}/{resource}", params={"per_page": 1}, headers=headers)
            response.raise_for_status()
            counts[resource] = response.json()["total_entries"]
        return counts


def netsuite_counts(info: dict, verify: str | bool = True) -> dict[str, int]:
    """Through Concord's own NetSuite client, so the sandbox's M2M login is the connector's."""
    config = NetSuiteConfig(
        base_url=info["base_url"],
        account_id=info["account_id"],
        client_id=info["client_id"],
        certificate_id=info["certificate_id"],
        private_key_path=info["private_key_path"],
        http=HttpSettings(verify=verify),
    )
    client = NetSuiteClient(config)
    counts = {}
    for table in NETSUITE_TABLES:
        page, _ = client.suiteql(f"SELECT COUNT(*) AS n FROM {table}", limit=1)
        counts[table] = int(page["items"][0]["n"])
    return counts


def all_counts(describe: dict) -> dict[str, dict[str, int]]:
    """Per system, per object: how many live records its API reports."""
    verify = describe.get("ca_cert", True)
    return {
        "salesforce": salesforce_counts(describe["salesforce"], verify),
        "harvest": harvest_counts(describe["harvest"], verify),
        "netsuite": netsuite_counts(describe["netsuite"], verify),
    }
