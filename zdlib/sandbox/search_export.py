"""ExportSearchResults (`GET /api/v2/search/export`): every match of a search, a cursor page at a time.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`, ExportSearchResults: "Use this endpoint for search
queries that will return more than 1000 results. The result set is ordered only by the `created_at`
attribute"; "You must specify the type in the `filter[type]` parameter. Searches with type in the query
string will result in an error"; types "ticket, organization, user, or group"; "Returns a maximum of 1000
records per page"; "The cursor specified by the `after_cursor` property in a response expires after one
hour"; `links.prev` "is always null because backward pagination is not supported"; "There's no `count`
property"; the answer is SearchExportResponse (`facets`, `links`, `meta`, `results`); "rate-limited to 100
requests per minute per account".

The sandbox holds users only: the other documented types answer an empty export. Users are created one a
minute in id order (`users.py`), so id order is `created_at` order; a page's scan is `user_query.first`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime, timedelta

from starlette.requests import Request

from zdlib.sandbox import errors, render, user_query
from zdlib.sandbox.pagination import int_param, page_url
from zdlib.sandbox.request_parsing import state_of
from zdlib.sandbox.user_query import UserQuery

TYPES = ("ticket", "organization", "user", "group")  # OAS ExportSearchResults, `filter[type]`
MAX_PAGE_SIZE = 1000  # "Returns a maximum of 1000 records per page"
DEFAULT_PAGE_SIZE = 100  # not documented; Zendesk's cursor pagination default, and the size it recommends
CURSOR_LIFETIME = timedelta(hours=1)  # "expires after one hour"
EXPORTS_PER_WINDOW = 100  # "100 requests per minute per account" (per `--window` in the sandbox)


def _invalid_cursor(detail: str) -> errors.ApiError:
    """The 400 of a cursor the sandbox will not follow (Zendesk's answer to an expired one is not
    documented; the shape is that of its other pagination errors, zendesk-api.md section 3)."""
    body = {"code": "InvalidPaginationParameter", "title": "Invalid Pagination Parameter"}
    return errors.ApiError(400, {"errors": [{**body, "detail": detail, "status": "400"}]})


def _fingerprint(query: str, kind: str) -> str:
    """Ties a cursor to its request, as Zendesk's own cursors carry a request hash."""
    return hashlib.sha256(f"{kind}\n{query}".encode()).hexdigest()[:16]


def encode_cursor(after_id: int, issued: datetime, query: str, kind: str) -> str:
    raw = {"after": after_id, "issued": int(issued.timestamp()), "request": _fingerprint(query, kind)}
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, now: datetime, query: str, kind: str) -> int:
    """The id the page starts after; 400 for a cursor that is malformed, of another export, or expired."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        after, issued, request = int(raw["after"]), int(raw["issued"]), raw["request"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _invalid_cursor("page[after] is not a valid search export cursor") from None
    if request != _fingerprint(query, kind):
        raise _invalid_cursor("page[after] belongs to another export: send the same query and filter[type]")
    if now.timestamp() - issued > CURSOR_LIFETIME.total_seconds():
        raise _invalid_cursor(
            "page[after] has expired: a search export cursor lasts one hour; start the export again"
        )
    return after


def export_request(request: Request) -> tuple[UserQuery | None, str, str, int]:
    """(query or None for a type the sandbox holds none of, raw query, type, page size), or a 400."""
    params = request.query_params
    raw = params.get("query")
    if raw is None or not raw.strip():
        raise errors.bad_request("query is required, e.g. query=role:agent&filter[type]=user")
    kind = params.get("filter[type]")
    if not kind:
        raise errors.bad_request("filter[type] is required: one of ticket, organization, user, group")
    if kind not in TYPES:
        raise errors.bad_request(f"filter[type]={kind} is not one of ticket, organization, user, group")
    if "page[before]" in params:
        raise errors.bad_request("page[before] is not supported: a search export only pages forward")
    size = int_param(request, "page[size]", DEFAULT_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise errors.bad_request(f"page[size] must be between 1 and {MAX_PAGE_SIZE}, not {size}")
    query = UserQuery.parse(raw)
    if "type" in query.terms:
        raise errors.bad_request("query must not name a type: give it in filter[type] instead")
    return (query if kind == "user" else None), raw, kind, size


async def export_page(request: Request) -> dict:
    """One SearchExportResponse page: the next `page[size]` matches after the cursor, in created order."""
    query, raw, kind, size = export_request(request)
    now = state_of(request).clock.now()
    cursor = request.query_params.get("page[after]")
    after = decode_cursor(cursor, now, raw, kind) if cursor else None
    found: list[dict] = []
    if query is not None:
        directory = state_of(request).store.users
        found = await user_query.first(query, directory, size + 1, after, request.is_disconnected)
    page, has_more = found[:size], len(found) > size
    after_cursor = encode_cursor(page[-1]["id"], now, raw, kind) if page else None
    base = render.base_of(request)
    return {
        "results": [{**render.user(u, base), "result_type": "user"} for u in page],
        "facets": None,
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": None},
        "links": {
            "next": page_url(request, page_size=size, page_after=after_cursor) if has_more else None,
            "prev": None,
        },
    }
