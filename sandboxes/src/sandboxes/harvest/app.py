"""Wires the Harvest sandbox: Harvest ID's OAuth2 token endpoint (`/api/v2/oauth2/token`),
admission (User-Agent, credentials, throttle) on every `/v2` route, Harvest's error bodies for every failure, the fault injector, and the indexes the
list queries rely on."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from sandboxes.common import admin
from sandboxes.common.faults import FaultInjector
from sandboxes.harvest import oauth
from sandboxes.harvest.auth import authenticator
from sandboxes.harvest.errors import fault_response, install_handlers
from sandboxes.harvest.resources import INDEXES
from sandboxes.harvest.routes import build_router
from sandboxes.harvest.writes import ID_SEQUENCE_DDL
from sandboxes.settings import SandboxSettings
from sandboxes.store import Store


def create_app(store: Store, settings: SandboxSettings, injector: FaultInjector) -> FastAPI:
    with store.transaction("harvest") as conn:
        conn.execute(ID_SEQUENCE_DDL)
        for ddl in INDEXES:
            conn.execute(ddl)
    app = FastAPI(title="Harvest API v2 sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    install_handlers(app)
    oauth_tokens = oauth.OAuthTokens(settings.harvest.oauth_access_token_ttl_seconds)
    app.include_router(oauth.router(settings.harvest, oauth_tokens))  # Harvest ID's token endpoint
    app.include_router(
        build_router(store, settings.harvest), dependencies=[Depends(authenticator(settings.harvest, oauth_tokens))]
    )
    admin.install(app, injector, fault_response)
    return app
