"""Request plumbing the NetSuite routes share: the bearer-token check, the raw JSON body,
paging parameters and the `links` of a collection."""

from __future__ import annotations

import orjson
from fastapi import Request
from starlette.responses import Response

from sandboxes.netsuite.auth import TokenRegistry
from sandboxes.netsuite.errors import INVALID_LOGIN_DETAIL, NetSuiteError, bad_request

COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection; charset=UTF-8"
SINGULAR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=singular; charset=UTF-8"
MAX_LIMIT = 1000


def bearer_check(tokens: TokenRegistry):  # noqa: ANN201 - a FastAPI dependency
    def require_token(request: Request) -> None:
        if not tokens.is_valid(request.headers.get("authorization")):
            raise NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)

    return require_token


async def raw_body(request: Request) -> bytes:
    return await request.body()


def json_object(body: bytes) -> dict:
    """The request body as a JSON object, or NetSuite's 400 for anything else."""
    try:
        value = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError as exc:
        raise bad_request("INVALID_CONTENT", f"The request body is not valid JSON: {exc}.") from exc
    if not isinstance(value, dict):
        raise bad_request("INVALID_CONTENT", "The request body must be a JSON object.")
    return value


def paging(request: Request) -> tuple[int, int]:
    """(limit, offset): limit 1..1000 (default 1000); offset a multiple of limit, as NetSuite
    requires."""
    limit = _int_param(request, "limit", MAX_LIMIT)
    offset = _int_param(request, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(
            "INVALID_PARAMETER", f"Invalid value for the parameter 'limit'. Provide a value between 1 and {MAX_LIMIT}."
        )
    if offset < 0 or offset % limit:
        raise bad_request(
            "INVALID_PARAMETER",
            "Invalid value for the parameter 'offset'. The offset must be zero or a positive multiple of the limit.",
        )
    return limit, offset


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise bad_request("INVALID_PARAMETER", f"Invalid value for the parameter '{name}': {raw}.") from exc


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def collection_links(url: str, limit: int, offset: int, reachable: int, has_more: bool) -> list[dict[str, str]]:
    """previous/first/next/last/self links of one page, in NetSuite's order."""
    joiner = "&" if "?" in url else "?"

    def href(at: int) -> str:
        return f"{url}{joiner}limit={limit}&offset={at}"

    last = max(0, (reachable - 1) // limit * limit)
    links = []
    if offset > 0:
        links.append({"rel": "previous", "href": href(max(0, offset - limit))})
    links.append({"rel": "first", "href": href(0)})
    if has_more:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    links.append({"rel": "self", "href": href(offset)})
    return links


def json_response(body: object, media_type: str = SINGULAR_MEDIA_TYPE) -> Response:
    return Response(orjson.dumps(body), media_type=media_type)
