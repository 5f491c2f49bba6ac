"""Small request helpers shared by the API modules."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from zdlib.sandbox import errors
from zdlib.sandbox.state import SandboxState


def state_of(request: Request) -> SandboxState:
    return request.app.state.sandbox


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON (or form) body; Zendesk answers malformed JSON with a 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode()))
    try:
        data = json.loads(raw)
    except ValueError:
        raise errors.bad_request("Malformed JSON body", "InvalidJSON") from None
    if not isinstance(data, dict):
        raise errors.bad_request("Request body must be a JSON object", "InvalidJSON")
    return data


def wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise errors.bad_request(f"Expected a JSON object under {key!r}", "InvalidValue")
    return inner


def id_list(raw: str | None, name: str = "ids") -> list[int]:
    if not raw:
        raise errors.bad_request(f"{name} is required", "InvalidValue")
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise errors.bad_request(f"{name} must be a comma-separated list of integers") from None


def truthy(raw: str | None) -> bool | None:
    if raw is None:
        return None
    return raw.lower() in ("true", "1", "yes")


def boolean_param(request: Request, name: str) -> bool | None:
    """A documented boolean query parameter (`true`/`false`), None if absent; anything else is a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false", "1", "0"):
        raise errors.bad_request(f"{name} must be true or false")
    return raw.lower() in ("true", "1")
