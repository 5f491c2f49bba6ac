"""Search counts and custom roles: what a census asks instead of listing every user.

OAS `ticketing-2026-05.yaml`: CountSearchResults (`GET /api/v2/search/count`, `{"count": N}`, "Allowed
For: Agents") and ListCustomRoles (`GET /api/v2/custom_roles`, CustomRolesResponse, "Allowed For: Agents").
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, user_query
from zdlib.sandbox.auth import require
from zdlib.sandbox.custom_roles import ROLES_BY_TYPE, render_roles
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


async def list_custom_roles(request: Request) -> Response:
    require(request, None, write=False)
    state = state_of(request)
    directory = state.store.users
    members = {rid: directory.count_custom_role(rid) for rid, _, _ in ROLES_BY_TYPE.values()}
    return errors.json_response({"custom_roles": render_roles(state.store.anchor, members)})


def routes() -> list[Route]:
    return [
        Route("/api/v2/search/count", count_search_results, methods=["GET"]),
        Route("/api/v2/custom_roles", list_custom_roles, methods=["GET"]),
    ]
