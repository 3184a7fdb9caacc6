"""Wires the NetSuite sandbox app: token endpoint (its M2M key pair generated in the store),
SuiteQL, record API, errors, limits, faults."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from sandboxes.common import admin
from sandboxes.common.faults import FaultInjector
from sandboxes.netsuite import auth, errors, keys, query_api, record_api
from sandboxes.netsuite.limits import ConcurrencyLimitMiddleware
from sandboxes.netsuite.wire import bearer_check
from sandboxes.settings import SandboxSettings
from sandboxes.store import Store


def create_app(store: Store, settings: SandboxSettings, injector: FaultInjector) -> FastAPI:
    app = FastAPI(title="NetSuite REST web services sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    tokens = auth.TokenRegistry(settings.netsuite.token_ttl_seconds)
    app.state.tokens = tokens  # how many logins the sandbox answered, for tests that count them
    errors.install(app)
    certificate = keys.ensure_key_pair(store.directory)  # the M2M key pair, generated on first start
    app.include_router(auth.router(settings.netsuite, tokens, certificate))
    require_token = [Depends(bearer_check(tokens))]
    app.include_router(query_api.router(store, settings.netsuite.time_zone), dependencies=require_token)
    app.include_router(record_api.router(store), dependencies=require_token)
    admin.install(app, injector, errors.fault_response)
    # Added last, so it is the outermost layer: injected slow responses count as in flight.
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.netsuite.concurrency_limit)
    return app
