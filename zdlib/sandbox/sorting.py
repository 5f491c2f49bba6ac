"""Sort parameters: `sort=[-]field` (cursor-capable lists) and `sort_by`/`sort_order` (automations).

Sources: the OpenAPI document ticketing-2026-05.yaml: ListUsers and ListAutomations `sort` ("Field to sort
results by. Prefix with `-` for descending order. When used with cursor pagination, this determines the
cursor ordering"); AutomationSortBy ("alphabetical", "created_at", "updated_at", "position") and
AutomationSortOrder ("Defaults to "asc" for alphabetical and position sort, "desc" for all others").
The sandbox's cursors are id-based, so cursor pages sort only by fields that follow id order.
"""

from __future__ import annotations

from starlette.requests import Request

from zdlib.sandbox import errors

AUTOMATION_SORT_KEYS = {"alphabetical": "title", "created_at": "created_at", "updated_at": "updated_at",
                        "position": "position"}  # fmt: skip
ASCENDING_BY_DEFAULT = ("alphabetical", "position")


def sort_field(request: Request, allowed: tuple[str, ...]) -> tuple[str | None, bool]:
    """(`field`, descending) from `sort=[-]field`, or (None, False) without one; other fields are a 400."""
    raw = (request.query_params.get("sort") or "").strip()
    if not raw:
        return None, False
    field = raw.lstrip("-")
    if field not in allowed:
        raise errors.bad_request(
            f"sort={raw} is not supported by this sandbox: use one of "
            + ", ".join(f"{f}, -{f}" for f in allowed)
        )
    return field, raw.startswith("-")


def automation_order(request: Request) -> tuple[str, bool] | None:
    """(record key, descending) from `sort_by`/`sort_order`, or None to keep id order."""
    sort_by = request.query_params.get("sort_by")
    order = request.query_params.get("sort_order")
    if order is not None and order not in ("asc", "desc"):
        raise errors.bad_request('sort_order must be "asc" or "desc"')
    if sort_by is None:
        return None if order is None else ("id", order == "desc")
    if sort_by not in AUTOMATION_SORT_KEYS:
        raise errors.bad_request(f"sort_by must be one of {', '.join(AUTOMATION_SORT_KEYS)}")
    descending = order == "desc" if order else sort_by not in ASCENDING_BY_DEFAULT
    return AUTOMATION_SORT_KEYS[sort_by], descending
