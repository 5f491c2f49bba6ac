"""Search counts and custom roles: what a census asks instead of listing every user.

OAS `ticketing-2026-05.yaml`: CountSearchResults (`GET /api/v2/search/count`, `{"count": N}`, "Allowed
For: Agents"), ExportSearchResults (`GET /api/v2/search/export`, "Allowed For: Agents", 100 requests a
minute per account; see `search_export.py`) and ListCustomRoles (`GET /api/v2/custom_roles`,
CustomRolesResponse, "Allowed For: Agents").
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, search_export, user_query
from zdlib.sandbox.auth import require
from zdlib.sandbox.custom_roles import ROLES_BY_TYPE, render_roles
from zdlib.sandbox.ratelimit import retry_after_seconds
from zdlib.sandbox.request_parsing import state_of
from zdlib.sandbox.user_query import UserQuery


async def count_search_results(request: Request) -> Response:
    """`{"count": N}` for `query` (required); users are the only records the sandbox searches."""
    require(request, None, write=False)
    raw = request.query_params.get("query")
    if raw is None or not raw.strip():
        raise errors.bad_request("query is required, e.g. query=type:user is_suspended:true")
    directory = state_of(request).store.users
    return errors.json_response(
        {"count": await user_query.count(UserQuery.parse(raw), directory, request.is_disconnected)}
    )


async def export_search_results(request: Request) -> Response:
    """A page of every user matching `query` (`filter[type]=user`), scanned without stalling the server."""
    require(request, None, write=False)
    allowed, _, reset = state_of(request).buckets.hit("search-export", search_export.EXPORTS_PER_WINDOW)
    if not allowed:
        raise errors.rate_limited(retry_after_seconds(reset))
    return errors.json_response(await search_export.export_page(request))


async def list_custom_roles(request: Request) -> Response:
    require(request, None, write=False)
    state = state_of(request)
    directory = state.store.users
    members = {rid: directory.count_custom_role(rid) for rid, _, _ in ROLES_BY_TYPE.values()}
    return errors.json_response({"custom_roles": render_roles(state.store.anchor, members)})


def routes() -> list[Route]:
    return [
        Route("/api/v2/search/count", count_search_results, methods=["GET"]),
        Route("/api/v2/search/export", export_search_results, methods=["GET"]),
        Route("/api/v2/custom_roles", list_custom_roles, methods=["GET"]),
    ]
