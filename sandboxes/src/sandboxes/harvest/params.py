"""Typed reading of query parameters and request bodies, with Harvest's 422 for bad values.

Harvest takes POST/PATCH parameters as JSON or as form data, so body values may arrive as
JSON types or as strings ("true", "12", "1.5"); both are accepted. Unknown body fields are
ignored, as Harvest (a Rails app with strong parameters) does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl

import orjson
from fastapi import Request

from sandboxes.common.timefmt import parse_iso
from sandboxes.harvest.errors import bad_request, unprocessable

_INT = re.compile(r"^-?\d+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def label(name: str) -> str:
    """Rails' humanised attribute name, as in its messages: `project_id` → `Project`."""
    return name.removesuffix("_id").replace("_", " ").capitalize()


# -- query parameters -------------------------------------------------------------------


def query_bool(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise unprocessable(f"Invalid value for {name}: must be true or false")


def query_int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not _INT.match(raw.strip()):
        raise unprocessable(f"Invalid value for {name}: must be an integer")
    return int(raw)


def query_date(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise unprocessable(f"Invalid value for {name}: must be an ISO 8601 date (YYYY-MM-DD)") from None


def query_datetime_ms(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso(raw)
    except ValueError:
        raise unprocessable(f"Invalid value for {name}: must be an ISO 8601 date/time") from None


def query_choice(params: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise unprocessable(f"Invalid value for {name}: must be one of {', '.join(choices)}")
    return raw


# -- request bodies ---------------------------------------------------------------------


async def read_body(request: Request) -> dict:
    """The request's parameters as a dict (a FastAPI dependency); 400 if they cannot be read."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise bad_request("The request body could not be parsed as form data") from None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


@dataclass(frozen=True)
class Field:
    """A writable attribute: its kind (str, int, num, bool, date, currency, choice, object,
    strings), whether null is allowed, and the allowed values of a `choice`."""

    kind: str
    nullable: bool = False
    choices: tuple[str, ...] = ()


def coerce(name: str, value: object, spec: Field) -> object:
    """The store's value for one body value (booleans 0/1, dates text, objects JSON text)."""
    if value is None or (value == "" and spec.kind not in ("str",)):
        if spec.nullable:
            return None
        raise unprocessable(f"{label(name)} can't be blank")
    kind = spec.kind
    if kind == "str":
        if not isinstance(value, str):
            raise unprocessable(f"{label(name)} must be a string")
        if not spec.nullable and not value.strip():
            raise unprocessable(f"{label(name)} can't be blank")
        return value
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.match(value.strip()):
            return int(value)
        raise unprocessable(f"{label(name)} must be an integer")
    if kind == "num":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise unprocessable(f"{label(name)} is not a number")
    if kind == "bool":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return int(value.lower() in ("true", "1"))
        raise unprocessable(f"{label(name)} must be true or false")
    if kind == "date":
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise unprocessable(f"{label(name)} is not a valid date (YYYY-MM-DD)")
    if kind == "currency":
        if isinstance(value, str) and _CURRENCY.match(value):
            return value
        raise unprocessable(f"{label(name)} is not a valid ISO 4217 currency code")
    if kind == "choice":
        if value in spec.choices:
            return value
        raise unprocessable(f"{label(name)} must be one of {', '.join(spec.choices)}")
    if kind == "object":
        if isinstance(value, dict):
            return orjson.dumps(value).decode()
        raise unprocessable(f"{label(name)} must be an object")
    if kind == "strings":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            bad = [item for item in value if spec.choices and item not in spec.choices]
            if bad:
                raise unprocessable(f"{label(name)} has invalid values: {', '.join(bad)}")
            return orjson.dumps(value).decode()
        raise unprocessable(f"{label(name)} must be an array of strings")
    raise AssertionError(f"unknown field kind {kind!r}")


def parse_fields(body: Mapping[str, object], spec: Mapping[str, Field]) -> dict[str, object]:
    """The writable fields present in `body`, coerced; absent fields are left out (PATCH keeps them)."""
    return {name: coerce(name, body[name], field) for name, field in spec.items() if name in body}


def require(values: Mapping[str, object], *names: str) -> None:
    """422 for the first required field missing from a create."""
    for name in names:
        if values.get(name) is None:
            raise unprocessable(f"{label(name)} can't be blank")
