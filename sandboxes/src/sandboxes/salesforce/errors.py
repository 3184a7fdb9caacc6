"""Salesforce's error bodies and the exception handlers that render them.

Every REST error is a JSON array `[{"message","errorCode","fields"?}]`; inside sObject
Collections results the same error is `{"statusCode","message","fields"}`. Nothing a
client sends ever surfaces as a traceback: unknown paths, bad methods, undecodable
bodies and unexpected failures all get Salesforce's shape.
"""

from __future__ import annotations

import logging
import secrets

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
log = logging.getLogger(__name__)


class SalesforceError(Exception):
    """An error Salesforce would answer with `status` and `[{"message","errorCode"}]`."""

    def __init__(self, status: int, error_code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields

    def as_rest(self) -> dict:
        body: dict = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            body["fields"] = self.fields
        return body

    def as_collection_item(self) -> dict:
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields or []}


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


def error_response(status: int, error_code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response([{"message": message, "errorCode": error_code}], status, headers)


def not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")


def json_parser_error(message: str) -> SalesforceError:
    return SalesforceError(400, "JSON_PARSER_ERROR", message)


def parse_json_body(raw: bytes) -> object:
    """The decoded request body, or Salesforce's JSON_PARSER_ERROR."""
    if not raw.strip():
        raise json_parser_error("The request body is empty. Expected a JSON object.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise json_parser_error(f"Unexpected character in request body: {exc}") from None


def fault_response(status: int, retry_after_seconds: int) -> Response:
    """The body of an injected fault. Salesforce itself answers overload with 503
    SERVER_UNAVAILABLE; it has no documented 429, so an injected 429 uses
    REQUEST_RATE_EXCEEDED (the code of its concurrent-request limiter) plus Retry-After."""
    if status == 429:
        return error_response(
            429, "REQUEST_RATE_EXCEEDED", "Too many requests", headers={"Retry-After": str(retry_after_seconds)}
        )
    if status == 503:
        return error_response(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later.")
    return _unknown_exception()


def _unknown_exception() -> Response:
    error_id = f"{secrets.randbelow(10**9)}-{secrets.randbelow(10**5)} ({-secrets.randbelow(10**9)})"
    return error_response(
        500,
        "UNKNOWN_EXCEPTION",
        f"An unexpected error occurred. Please include this ErrorId if you contact support: {error_id}",
    )


def install_handlers(app: FastAPI) -> None:
    """Renders every failure in Salesforce's error format."""

    @app.exception_handler(SalesforceError)
    async def salesforce_error(_: Request, exc: SalesforceError) -> Response:
        return json_response([exc.as_rest()], exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return json_response([json_parser_error("Unexpected character in request body").as_rest()], 400)
        location = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(400, "MALFORMED_QUERY", f"{location}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return error_response(
                405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are GET,PATCH,DELETE"
            )
        if exc.status_code == 404:
            return json_response([not_found().as_rest()], 404)
        return error_response(exc.status_code, "UNKNOWN_EXCEPTION", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        log.exception("Salesforce sandbox: unexpected error", exc_info=exc)
        return _unknown_exception()
