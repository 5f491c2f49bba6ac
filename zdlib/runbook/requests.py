"""The generic API request of the handbook: checked, shown as curl, planned, and compared read-back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from zdlib.errors import NotFound, ZendeskError
from zdlib.redact import redact_data

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READ_METHODS = ("GET",)
ALLOWED_PREFIXES = ("/api/v2/",)


class RequestInputError(ValueError):
    """The request parameters are not a request Zendesk can take; the message says how to fix them."""


@dataclass(frozen=True)
class ApiRequest:
    """A checked request: method, instance-relative path and JSON body."""

    method: str
    path: str
    body: Any

    @property
    def writes(self) -> bool:
        return self.method not in READ_METHODS


def parse_request(method: str, path: str, body: str) -> ApiRequest:
    """Check the handbook's three inputs: a method, a `/api/v2/...` path and an optional JSON body."""
    verb = (method or "").strip().upper()
    if verb not in METHODS:
        raise RequestInputError(f"method={method!r} is not one of {', '.join(METHODS)}.")
    target = (path or "").strip()
    if "://" in target:
        raise RequestInputError(
            "path must be relative to the instance (e.g. /api/v2/automations/12345): the instance comes from "
            "ZENDESK_URL, so a request cannot be sent elsewhere."
        )
    if not target.startswith(ALLOWED_PREFIXES) or any(c.isspace() for c in target) or ".." in target:
        raise RequestInputError(f"path={path!r} must start with /api/v2/ and contain no spaces or '..'.")
    payload = None
    if (body or "").strip():
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise RequestInputError(
                f'body is not valid JSON ({error}); e.g. {{"automation": {{"active": false}}}}'
            ) from error
        if verb in READ_METHODS or verb == "DELETE":
            raise RequestInputError(f"A {verb} request takes no body; remove it or use PUT/POST.")
    elif verb in ("POST", "PUT", "PATCH"):
        raise RequestInputError(
            f'A {verb} request needs a JSON body, e.g. {{"automation": {{"active": false}}}}.'
        )
    return ApiRequest(verb, target, payload)


def unchanged_fields(current: Any, body: Any) -> bool:
    """True when every field the body sets already has that value (so a PUT would change nothing)."""
    if isinstance(body, dict) and isinstance(current, dict):
        return all(k in current and unchanged_fields(current[k], v) for k, v in body.items())
    return current == body


def printable(payload: Any, limit: int = 4000) -> str:
    """A response body for the record: secret fields removed, long bodies cut."""
    text = json.dumps(redact_data(payload), indent=2, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


def current_state(client: Any, path: str) -> tuple[Any, str]:
    """What a write's path holds now: (object, "found"), (None, "absent") or (None, "no-read")."""
    try:
        return client.get(path), "found"
    except NotFound as error:
        return None, "no-read" if error.code == "InvalidEndpoint" else "absent"
    except ZendeskError as error:
        if error.status == 405:
            return None, "no-read"
        raise
