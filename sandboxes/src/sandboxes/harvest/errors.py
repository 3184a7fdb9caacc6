"""Harvest's error bodies, and the exception handlers that turn every failure into one.

Bodies, by status (the [unverified] ones are the sandbox's most plausible reading):
- 400 missing User-Agent: `{"error":"bad_request","error_description":"Missing User-Agent header"}` [unverified]
- 400 malformed request body: `{"message":"…"}` [unverified]
- 401 bad/missing token or account id: `{"error":"invalid_token","error_description":"The access token
  provided is expired, revoked, malformed or invalid for other reasons."}` (Harvest sends this same
  body when the `Harvest-Account-Id` header is missing or wrong)
- 404 `{"status":404,"error":"Not Found"}`, 405 `{"status":405,"error":"Method Not Allowed"}`
- 422 validation: `{"message":"…"}`
- 429 throttled: `{"message":"Too many requests. Retry after N seconds."}` plus `Retry-After: N`
  [unverified: Harvest's front end has been seen answering 429 with an HTML page, so clients
  should rely on the status and `Retry-After`, never on this body]
- 500/503: `{"message":"…"}` [unverified]
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
}
MISSING_USER_AGENT = {"error": "bad_request", "error_description": "Missing User-Agent header"}
NOT_FOUND = {"status": 404, "error": "Not Found"}
SERVER_MESSAGES = {
    500: "An unexpected error occurred on Harvest's servers. Please try again later.",
    503: "Harvest is temporarily unavailable. Please try again later.",
}


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


class HarvestError(Exception):
    """Raised anywhere in a request to answer with Harvest's status and body."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers

    def response(self) -> Response:
        return json_response(self.body, self.status, self.headers)


def unprocessable(message: str) -> HarvestError:
    """422, Harvest's answer to a well-formed request it will not carry out."""
    return HarvestError(422, {"message": message})


def bad_request(message: str) -> HarvestError:
    return HarvestError(400, {"message": message})


def not_found() -> HarvestError:
    return HarvestError(404, dict(NOT_FOUND))


def unauthorized() -> HarvestError:
    return HarvestError(401, dict(INVALID_TOKEN))


def throttled(retry_after_seconds: int) -> HarvestError:
    return HarvestError(
        429,
        {"message": f"Too many requests. Retry after {retry_after_seconds} seconds."},
        {"Retry-After": str(retry_after_seconds)},
    )


def fault_response(status: int, retry_after_seconds: int) -> Response:
    """The fault injector's responder: what Harvest sends for an injected 429/500/503."""
    if status == 429:
        return throttled(max(1, retry_after_seconds)).response()
    return json_response({"message": SERVER_MESSAGES.get(status, "Internal Server Error")}, status)


def install_handlers(app: FastAPI) -> None:
    """Every failure, including FastAPI's own, answers in Harvest's format (never a traceback)."""

    @app.exception_handler(HarvestError)
    async def harvest_error(request: Request, exc: HarvestError) -> Response:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        return unprocessable(f"{field} is invalid").response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found().response()
        if exc.status_code == 405:
            return json_response({"status": 405, "error": "Method Not Allowed"}, 405)
        return json_response({"message": str(exc.detail)}, exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("harvest sandbox failed on %s %s", request.method, request.url.path)
        return json_response({"message": SERVER_MESSAGES[500]}, 500)
