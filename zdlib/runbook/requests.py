"""The generic API request of the handbook: checked, shown as curl, planned, and compared read-back."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from zdlib.errors import NotFound, ZendeskError
from zdlib.redact import credential_field_in, redact_data

if TYPE_CHECKING:
    from zdlib.client import Client

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READ_METHODS = ("GET",)
ALLOWED_PREFIXES = ("/api/v2/",)


class RequestInputError(ValueError):
    """The request parameters are not a request Zendesk can take; the message says how to fix them."""


@dataclass(frozen=True)
class CredentialRoute:
    """Writes to these endpoints make, widen or end a credential: they have runbooks of their own."""

    pattern: str  # a regular expression over the decoded path, without query or `.json`
    what: str
    instead: str
    reads_too: bool = False  # a GET here answers with a fresh credential, so reading it is refused as well


_CREATE = "the create_token runbook (approved scopes, a one-time destination, a fingerprint in the record)"
_REVOKE = "the revoke_token or revoke_integration runbook (revokes every token it leaves, then verifies)"
#: Zendesk's OpenAPI document (ticketing, May 2026): "OAuth Tokens" (POST/DELETE /api/v2/oauth/tokens...),
#: "OAuth Clients" (POST/PUT/DELETE /api/v2/oauth/clients..., PUT .../generate_secret), "OAuth Global
#: Clients", "Users" (POST/PUT /api/v2/users/{user_id}/password); `/api/v2/api_tokens` (reference/
#: zendesk-2026-12-updates.md, API tokens: no account may create one since 2026-10-27).
CREDENTIAL_ROUTES = (
    CredentialRoute(
        r"/api/v2/oauth/tokens(/.*)?", "an OAuth access token", f"{_CREATE}; to revoke, {_REVOKE}"
    ),
    CredentialRoute(r"/api/v2/oauth/clients/[^/]+/generate_secret", "an OAuth client's secret", f"{_CREATE}"),
    CredentialRoute(
        r"/api/v2/(users/me/)?oauth/(global_)?clients(/.*)?",
        "an OAuth client (its secret mints tokens of any scope)",
        f"{_CREATE}; to remove one, {_REVOKE}",
    ),
    CredentialRoute(r"/api/v2/api_tokens(/.*)?", "an API token", f"Admin Center; to revoke, {_REVOKE}"),
    CredentialRoute(
        r"/api/v2/users/[^/]+/password(/.*)?", "a user's password", "Admin Center or the user's own profile"
    ),
    #: OAS "Sessions", GET /api/v2/users/me/session/renew (RenewCurrentSession): the answer is a new
    #: `authenticity_token` for the run's own session.
    CredentialRoute(
        r"/api/v2/users/[^/]+/session/renew",
        "a renewed session token for this run's own credential",
        "the run's own credential as it is (no runbook needs a session token)",
        reads_too=True,
    ),
)


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
    check_path(target)
    refuse_credential_route(verb, target)
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
        field = credential_field_in(payload)
        if field:
            raise RequestInputError(
                f"body field {field!r} carries a credential. Parameters are written into the record, so a "
                "secret cannot be passed here: set it in Admin Center (e.g. a webhook's authentication), "
                "then send the request without it."
            )
    elif verb in ("POST", "PUT", "PATCH"):
        raise RequestInputError(
            f'A {verb} request needs a JSON body, e.g. {{"automation": {{"active": false}}}}.'
        )
    return ApiRequest(verb, target, payload)


def decoded_path(path: str) -> str:
    """The path as the server will read it: percent-decoding repeated until nothing changes
    (`%252e` -> `%2e` -> `.`), so an encoded dot segment cannot hide."""
    for _ in range(5):
        decoded = unquote(path)
        if decoded == path:
            return decoded
        path = decoded
    raise RequestInputError(f"path={path!r} is percent-encoded too many times over; write it plainly.")


def check_path(path: str) -> None:
    """A path under /api/v2/ however it is read: no spaces or control characters, no backslashes,
    no `.` or `..` segments (also percent-encoded, `%2e%2e`), and still under /api/v2/ once decoded."""
    shown = f"path={path!r}"
    if any(c.isspace() or not c.isprintable() for c in path):
        raise RequestInputError(f"{shown} contains spaces or control characters; remove them.")
    plain = decoded_path(path)
    route = plain.split("?", 1)[0]
    segments = route.split("/")
    if "\\" in plain or any(c.isspace() or not c.isprintable() for c in plain):
        raise RequestInputError(f"{shown} hides a backslash, space or control character in its encoding.")
    if any(segment in (".", "..") for segment in segments):
        raise RequestInputError(
            f"{shown} has a '.' or '..' segment (percent-encoded ones included), which would leave the "
            "endpoint it names. Write the endpoint's own path, e.g. /api/v2/automations/12345."
        )
    normal = posixpath.normpath(route)
    if not path.startswith(ALLOWED_PREFIXES) or not (normal + "/").startswith(ALLOWED_PREFIXES):
        raise RequestInputError(
            f"{shown} must be an endpoint under /api/v2/ (e.g. /api/v2/automations/12345)."
        )


def refuse_credential_route(method: str, path: str) -> None:
    """A write that makes, widens or ends a credential (or a read that answers with a new one) is refused:
    the generic request would put a new secret into the record and skip the approval's scopes and the
    revocation's verification."""
    route = posixpath.normpath(decoded_path(path).split("?", 1)[0]).removesuffix(".json")
    reading = method in READ_METHODS
    for rule in CREDENTIAL_ROUTES:
        if reading and not rule.reads_too:
            continue
        if re.fullmatch(rule.pattern, route, flags=re.IGNORECASE):
            kind = "answers with a new credential" if reading else "is a credential change"
            raise RequestInputError(
                f"{method} {route} {kind} ({rule.what}); api_request does not send those. Use {rule.instead}."
            )


_ABSENT = object()


def leaf_paths(body: Any, prefix: str = "") -> list[str]:
    """The dotted paths a JSON body sets (`automation.title`); a list is one value, never walked into."""
    if isinstance(body, dict) and body:
        return [path for key, value in body.items() for path in leaf_paths(value, f"{prefix}{key}.")]
    return [prefix.rstrip(".")] if prefix else []


def value_at(obj: Any, path: str) -> Any:
    """The value at a dotted path of a JSON object (None where it has none)."""
    for key in path.split("."):
        obj = obj.get(key, _ABSENT) if isinstance(obj, dict) else _ABSENT
        if obj is _ABSENT:
            return None
    return obj


def changed_paths(current: Any, body: Any) -> list[str]:
    """The fields a PUT/PATCH body sets to another value than the object holds (all of them when the body
    is not an object)."""
    paths = leaf_paths(body)
    if not paths:
        return []
    return [p for p in paths if value_at(current, p) != value_at(body, p)]


def field_side(obj: Any, paths: list[str]) -> Any:
    """One side of a field-level diff: the field's value for one field, `{path: value}` for several.
    Secret fields of the object are removed first (`zdlib.redact`)."""
    clean = redact_data(obj)
    if not paths:
        return clean
    if len(paths) == 1:
        return value_at(clean, paths[0])
    return {path: value_at(clean, path) for path in paths}


def fields_label(paths: list[str]) -> str:
    """What a field-level change is about: `automation.title`, or several joined by commas."""
    return ", ".join(paths) if paths else "body"


def printable(payload: Any, limit: int = 4000) -> str:
    """A response body for the record: secret fields removed, long bodies cut."""
    text = json.dumps(redact_data(payload), indent=2, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


def current_state(client: Client, path: str) -> tuple[Any, str]:
    """What a write's path holds now: (object, "found"), (None, "absent") or (None, "no-read")."""
    try:
        return client.get(path), "found"
    except NotFound as error:
        return None, "no-read" if error.code == "InvalidEndpoint" else "absent"
    except ZendeskError as error:
        if error.status == 405:
            return None, "no-read"
        raise


#: A POST whose answer was lost may have created the object: a second one is never sent blindly.
UNKNOWN_POST_ADVICE = (
    "Do not simply re-run it: a POST creates a new object each time. Look the object up first (in Admin "
    "Center or with a GET), and only if it is missing run api_request again with allow_duplicate=True."
)


def earlier_posts(instance: str, path: str, access_request_url: str) -> list[dict]:
    """Our records of earlier api_request POSTs to `path` on `instance` under this access request that
    may have created something (applied, or failed/interrupted with the result unknown)."""
    from zdlib.runbook.plans.common import recorded_runs

    found: list[dict] = []
    for outcome in ("applied", "failed", "interrupted"):
        found += recorded_runs(
            instance, "api_request", outcome, method="POST", path=path, access_request_url=access_request_url
        )
    return found


def duplicate_post_problem(instance: str, request: ApiRequest, access_request_url: str, allow: bool) -> str:
    """Why this POST must not be sent ('' when it may): one POST per path and access request, unless
    the operator says `allow_duplicate=True` after looking the object up."""
    if request.method != "POST" or allow or not access_request_url:
        return ""
    earlier = earlier_posts(instance, request.path, access_request_url)
    if not earlier:
        return ""
    last = earlier[-1]
    return (
        f"POST {request.path} was already sent under {access_request_url} (run {last.get('name') or ''} "
        f"at {last.get('started_at')}, outcome {last.get('outcome')}). A second POST would create a second "
        "object. Look the first one up; if it really is missing, re-run with allow_duplicate=True."
    )
