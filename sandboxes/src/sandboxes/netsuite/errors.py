"""NetSuite's error responses (RFC 9457-style problem details with `o:errorDetails`) and
the exception handlers that make every failure of the sandbox come out in that format."""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

ERROR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error; charset=UTF-8"

_TYPES = {
    400: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    401: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    403: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
    404: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
    405: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6",
    415: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.16",
    429: "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
    500: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1",
    503: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
CONCURRENCY_DETAIL = (
    "Concurrent request limit exceeded. Request blocked. The number of concurrent requests made to "
    "this account has exceeded the limit set by your account's service tier."
)

log = logging.getLogger(__name__)


class NetSuiteError(Exception):
    """Raised anywhere in a handler to answer with a NetSuite error body."""

    def __init__(self, status: int, code: str, detail: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path


def bad_request(code: str, detail: str, path: str | None = None) -> NetSuiteError:
    return NetSuiteError(400, code, detail, path)


def error_response(status: int, code: str, detail: str, path: str | None = None) -> Response:
    entry: dict[str, str] = {"detail": detail}
    if path is not None:
        entry["o:errorPath"] = path
    entry["o:errorCode"] = code
    body = {
        "type": _TYPES.get(status, _TYPES[400]),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "o:errorDetails": [entry],
    }
    return Response(orjson.dumps(body), status_code=status, media_type=ERROR_MEDIA_TYPE)


def unauthorized() -> Response:
    return error_response(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def concurrency_exceeded() -> Response:
    # NetSuite sends no Retry-After with this 429: clients back off on their own.
    return error_response(429, "CONCURRENCY_LIMIT_EXCEEDED", CONCURRENCY_DETAIL)


def fault_response(status: int, retry_after_seconds: int) -> Response:
    """The injected-fault bodies, as NetSuite sends them (no Retry-After on any of them)."""
    if status == 429:
        return concurrency_exceeded()
    if status == 503:
        return error_response(
            503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Please try again later."
        )
    return error_response(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: sandbox-injected-fault.")


def install(app: FastAPI) -> None:
    """Renders every error (ours, routing, validation, crashes) as a NetSuite error body."""

    @app.exception_handler(NetSuiteError)
    def _netsuite(_: Request, exc: NetSuiteError) -> Response:
        return error_response(exc.status, exc.code, exc.detail, exc.path)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        detail = f"Invalid value for parameter {'.'.join(location) or 'request'}: {first.get('msg', 'invalid')}."
        return error_response(400, "INVALID_PARAMETER", detail)

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(404, "NONEXISTENT_ID", "The requested resource does not exist.")
        if exc.status_code == 405:
            return error_response(405, "INVALID_METHOD", "The HTTP method is not supported for this resource.")
        return error_response(exc.status_code, "USER_ERROR", str(exc.detail))

    @app.exception_handler(Exception)
    def _crash(_: Request, exc: Exception) -> Response:
        log.exception("unexpected error in the NetSuite sandbox")
        return error_response(500, "UNEXPECTED_ERROR", f"An unexpected error occurred: {type(exc).__name__}.")
