"""Assembles the Salesforce sandbox app: OAuth, the versioned REST API behind the gateway
(session, version, daily limit), Salesforce-shaped errors, admin routes and faults."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.responses import Response

from sandboxes.common import admin
from sandboxes.common.faults import FaultInjector
from sandboxes.salesforce import auth, composite, deleted, query, records, sobjects
from sandboxes.salesforce.cursors import CursorStore
from sandboxes.salesforce.errors import fault_response, install_handlers, json_response
from sandboxes.salesforce.gateway import ApiGateway, supported_versions
from sandboxes.salesforce.limits import ApiUsage
from sandboxes.salesforce.wire import api_prefix
from sandboxes.settings import SandboxSettings
from sandboxes.store import Store


def _release_label(version: str) -> str:
    # v62.0 is Winter '25; three releases a year, one API version each.
    major = int(float(version))
    season = ("Winter", "Spring", "Summer")[(major - 62) % 3]
    year = 25 + (major - 62) // 3
    return f"{season} '{year:02d}"


def _service_router(usage: ApiUsage, latest: str) -> APIRouter:
    api = APIRouter()

    def versions() -> Response:
        return json_response(
            [{"label": _release_label(v), "url": api_prefix(v), "version": v} for v in supported_versions(latest)]
        )

    api.add_api_route("/services/data", versions, methods=["GET"])
    api.add_api_route("/services/data/", versions, methods=["GET"])

    @api.get("/services/data/v{version}/")
    def resources(version: str) -> Response:
        prefix = api_prefix(version)
        names = ("sobjects", "query", "queryAll", "limits", "composite")
        return json_response({name: f"{prefix}/{name}" for name in names})

    @api.get("/services/data/v{version}/limits")
    def limits(version: str) -> Response:
        used = usage.used()
        return json_response(
            {"DailyApiRequests": {"Max": usage.daily_limit, "Remaining": max(usage.daily_limit - used, 0)}}
        )

    return api


def create_app(store: Store, settings: SandboxSettings, injector: FaultInjector) -> FastAPI:
    config = settings.salesforce
    sobjects.check_against_store(store.connect("salesforce"))
    sessions = auth.SessionStore(config.session_timeout_seconds)
    usage = ApiUsage(store, config.daily_api_limit)
    cursors = CursorStore(config.max_open_cursors, config.cursor_ttl_seconds)

    app = FastAPI(title="Salesforce sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(auth.router(config, sessions, store))
    app.include_router(_service_router(usage, config.api_version))
    app.include_router(query.router(store, config, cursors))
    app.include_router(composite.router(store))
    # Before records: `sobjects/{Obj}/deleted` must win over `sobjects/{Obj}/{id}`.
    app.include_router(deleted.router(store))
    app.include_router(records.router(store, config.fields_not_created))
    install_handlers(app)
    app.add_middleware(ApiGateway, sessions=sessions, usage=usage, latest_version=config.api_version)
    admin.install(app, injector, fault_response)
    return app
