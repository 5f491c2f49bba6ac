"""Cursor (`page[size]`, `page[after]`, `page[before]`) and offset (`page`, `per_page`) pagination.

Links are absolute and built from the request's own scheme and Host, as Zendesk's are.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import quote_plus

from starlette.requests import Request

from zdlib.sandbox import errors, render

MAX_PAGE_SIZE = 100
MAX_OFFSET_PAGES = 100
SEARCH_RESULT_LIMIT = 1000

# fetch(after_id, before_id, reverse) -> iterator of items in id order (reversed if asked)
Fetch = Callable[[int | None, int | None, bool], Iterator[Any]]


def _record_id(item: Any) -> int:
    return item if isinstance(item, int) else item["id"]


def encode_cursor(item_id: int) -> str:
    if type(item_id) is int:  # the usual case: what json.dumps writes, without it
        raw = f'{{"o":"id","v":{item_id}}}'.encode()
    else:
        raw = json.dumps({"o": "id", "v": item_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["v"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.ApiError(
            400,
            {
                "errors": [
                    {
                        "code": "InvalidPaginationParameter",
                        "title": "Invalid Pagination Parameter",
                        "detail": "page[after] or page[before] is not a valid cursor",
                        "status": "400",
                    }
                ]
            },
        ) from None


def page_url(request: Request, drop: tuple[str, ...] = (), **page_params: Any) -> str:
    """This request's URL (original path, other parameters kept) with new paging parameters."""
    params = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if not k.startswith("page") and k != "per_page" and k not in drop
    ]
    params += [
        (k.replace("_", "[", 1) + "]" if k.startswith("page_") else k, v) for k, v in page_params.items()
    ]
    path = request.scope.get("zd.original_path")
    if path is None:
        path = request.url.path
    return f"{render.base_of(request)}{path}?{_urlencode(params)}"


@lru_cache(maxsize=256)
def _quoted_name(name: str) -> str:
    return quote_plus(name)


def _urlencode(params: list[tuple[str, Any]]) -> str:
    """`urlencode(params)`, the parameter names' quoting cached (the same few names every page)."""
    return "&".join(f"{_quoted_name(str(k))}={quote_plus(str(v))}" for k, v in params)


def is_cursor_request(request: Request) -> bool:
    return any(k.startswith("page[") for k in request.query_params)


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f"{name} must be an integer") from None


def cursor_page(request: Request, key: str, fetch: Fetch, repeat_cursor: bool = False) -> dict:
    """One cursor page: `{key: [...], "meta": {...}, "links": {...}}` (items as `fetch` yields them)."""
    size = min(max(int_param(request, "page[size]", MAX_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    after_raw = request.query_params.get("page[after]")
    before_raw = request.query_params.get("page[before]")
    if before_raw:
        items = list(islice(fetch(None, decode_cursor(before_raw), True), size + 1))
        has_more = len(items) > size
        items = items[:size][::-1]
    else:
        after = decode_cursor(after_raw) if after_raw else None
        items = list(islice(fetch(after, None, False), size + 1))
        has_more = len(items) > size
        items = items[:size]
    after_cursor = encode_cursor(_record_id(items[-1])) if items else None
    before_cursor = encode_cursor(_record_id(items[0])) if items else None
    if repeat_cursor and after_raw:
        after_cursor, has_more = after_raw, True
    return {
        key: items,
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
        "links": {
            "next": page_url(request, page_size=size, page_after=after_cursor)
            if has_more and after_cursor
            else None,
            "prev": page_url(request, page_size=size, page_before=before_cursor) if before_cursor else None,
        },
    }


def offset_window(request: Request, search: bool = False) -> tuple[int, int]:
    """(page, per_page) checked against Zendesk's depth limits."""
    page = max(int_param(request, "page", 1), 1)
    per_page = min(max(int_param(request, "per_page", MAX_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    if search and page * per_page > SEARCH_RESULT_LIMIT:
        raise errors.search_too_deep()
    if page > MAX_OFFSET_PAGES:
        raise errors.pagination_depth()
    return page, per_page


def offset_page(request: Request, key: str, total: int, items: list[dict], page: int, per_page: int) -> dict:
    """`{key: [...], "next_page", "previous_page", "count"}`."""
    more = page * per_page < total
    return {
        key: items,
        "next_page": page_url(request, page=page + 1, per_page=per_page) if more else None,
        "previous_page": page_url(request, page=page - 1, per_page=per_page) if page > 1 else None,
        "count": total,
    }


def paginate_list(
    request: Request, key: str, records: list[dict], repeat_cursor: bool = False, descending: bool = False
) -> dict:
    """Cursor or offset pagination over a small in-memory list already in id order (or reversed)."""
    if is_cursor_request(request):

        def fetch(after: int | None, before: int | None, reverse: bool) -> Iterator[dict]:
            seq = reversed(records) if reverse else records
            if descending:  # "after" means older, i.e. smaller ids
                return (
                    r
                    for r in seq
                    if (after is None or r["id"] < after) and (before is None or r["id"] > before)
                )
            return (
                r for r in seq if (after is None or r["id"] > after) and (before is None or r["id"] < before)
            )

        return cursor_page(request, key, fetch, repeat_cursor)
    page, per_page = offset_window(request)
    start = (page - 1) * per_page
    return offset_page(request, key, len(records), records[start : start + per_page], page, per_page)
