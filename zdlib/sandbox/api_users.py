"""Users: list, show, me, search, show_many, count, update (incl. suspend), incremental cursor export."""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, render, user_query
from zdlib.sandbox.auth import STAFF_ROLES, Principal, authenticate, is_password_basic, require
from zdlib.sandbox.clock import iso
from zdlib.sandbox.pagination import (
    cursor_page,
    int_param,
    is_cursor_request,
    offset_page,
    offset_window,
    page_url,
)
from zdlib.sandbox.ratelimit import retry_after_seconds
from zdlib.sandbox.request_parsing import body_of, id_list, state_of, wrapped
from zdlib.sandbox.seed import USER_ID_BASE
from zdlib.sandbox.sorting import sort_field
from zdlib.sandbox.user_query import UserQuery
from zdlib.sandbox.users import ROLES, UserDirectory

USER_SORTS = ("id", "created_at")  # both follow id order for the generated account

# The types of UserForAdmin in the OpenAPI document (ticketing-2026-05.yaml); True: may be null.
USER_FIELD_TYPES: dict[str, tuple[type, bool]] = {
    "name": (str, False),
    "role": (str, False),
    "notes": (str, False),
    "details": (str, False),
    "alias": (str, False),
    "time_zone": (str, False),
    "locale": (str, False),
    "signature": (str, False),
    "phone": (str, True),
    "external_id": (str, True),
    "ticket_restriction": (str, True),
    "suspended": (bool, False),
    "verified": (bool, False),
    "moderator": (bool, False),
    "only_private_comments": (bool, False),
    "organization_id": (int, True),
    "custom_role_id": (int, True),
    "default_group_id": (int, True),
    "tags": (list, False),
    "user_fields": (dict, False),
}
UPDATABLE = frozenset(USER_FIELD_TYPES)
TYPE_WORDS: dict[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    list: "a list",
    dict: "an object",
}
USER_UPDATES_PER_WINDOW = 5
EXPORTS_PER_WINDOW = 10
EXPORT_PAGE_SIZE = 1000


def _role_filter(request: Request) -> tuple[str, ...] | None:
    """`role=` or `role[]=` (repeatable, OAS ListUsers "Filters the results by more than one role"):
    the roles asked for, or None for all of them."""
    roles = set(request.query_params.getlist("role[]") + request.query_params.getlist("role"))
    if not roles or roles == set(ROLES):
        return None
    if not roles <= set(ROLES):
        raise errors.bad_request(f"role must be one of {', '.join(ROLES)}")
    return tuple(r for r in ROLES if r in roles)


class UserSelection:
    """Which users a listing or count means: roles, a custom role (`permission_set`, OAS
    UserPermissionSetFilter: "for the Enterprise plan and above"), or the few matching `external_id`
    (generated users have none, so that filter only ever matches changed users)."""

    def __init__(self, request: Request, directory: UserDirectory) -> None:
        self.directory = directory
        self.roles = _role_filter(request)
        external_id = request.query_params.get("external_id")
        raw_set = request.query_params.get("permission_set")
        self.custom_role = None if raw_set is None else int_param(request, "permission_set", 0)
        self.key = (self.roles, self.custom_role, external_id)
        self.few: list[int] | None = None
        if external_id is not None:
            self.few = sorted(
                u["id"]
                for u in directory.overlay.values()
                if u.get("external_id") == external_id and self._holds(u)
            )

    def _holds(self, user: dict) -> bool:
        in_role = self.roles is None or user["role"] in self.roles
        return in_role and (self.custom_role is None or user.get("custom_role_id") == self.custom_role)

    def ids(
        self, after: int | None = None, before: int | None = None, reverse: bool = False
    ) -> Iterator[int]:
        if self.few is not None:
            picked = [i for i in self.few if (after is None or i > after) and (before is None or i < before)]
            return iter(picked[::-1] if reverse else picked)
        if self.custom_role is not None:  # only agents hold custom roles: 1 user in 50 of the account
            agents = self.directory.ids("agent", after, before, reverse)
            return (i for i in agents if self._holds(self.directory.get(i)))  # type: ignore[arg-type]
        if self.roles is None or len(self.roles) == 1:
            return self.directory.ids(self.roles[0] if self.roles else None, after, before, reverse)
        streams = [self.directory.ids(r, after, before, reverse) for r in self.roles]
        return heapq.merge(*streams, reverse=reverse)

    def count(self) -> int:
        if self.few is not None:
            return len(self.few)
        if self.custom_role is not None:
            if self.roles is not None and "agent" not in self.roles:
                return 0
            return self.directory.count_custom_role(self.custom_role)
        if self.roles is None:
            return self.directory.count_role(None)
        return sum(self.directory.count_role(r) for r in self.roles)


async def list_users(request: Request) -> Response:
    require(request, "users", write=False)
    state = state_of(request)
    directory = state.store.users
    base = render.base_of(request)
    selection = UserSelection(request, directory)
    _, descending = sort_field(request, USER_SORTS)
    if is_cursor_request(request):

        def fetch(after: int | None, before: int | None, reverse: bool) -> Iterator[int]:
            if descending:  # the cursor still names an id; "after" means a smaller one
                return selection.ids(before, after, not reverse)
            return selection.ids(after, before, reverse)

        body = cursor_page(request, "users", fetch, state.faults.settings.repeat_cursor)
    else:
        page, per_page = offset_window(request)
        ids = list(islice(selection.ids(reverse=descending), (page - 1) * per_page, page * per_page))
        body = offset_page(request, "users", selection.count(), ids, page, per_page)
    ids = body.pop("users")
    return errors.json_list_response("users", [directory.json_array_of(ids, base)] if ids else [], body)


def _anonymous() -> dict:
    return {
        "id": None,
        "url": None,
        "name": "Anonymous user",
        "email": "invalid@example.com",
        "created_at": None,
        "updated_at": None,
        "time_zone": "UTC",
        "iana_time_zone": "Etc/UTC",
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": None,
        "role": "end-user",
        "verified": False,
        "authenticity_token": "anonymous",
    }


async def me(request: Request) -> Response:
    state = state_of(request)
    header = request.headers.get("authorization", "")
    try:
        principal = authenticate(request, state)
    except errors.ApiError:
        if is_password_basic(header):  # Zendesk answers a wrong password with the anonymous user
            return errors.json_response({"user": _anonymous()})
        raise
    if principal is None:
        return errors.json_response({"user": _anonymous()})
    body = render.user(principal.user, render.base_of(request), principal.role in STAFF_ROLES)
    token = hashlib.sha256(f"csrf:{state.options.seed}:{principal.id}".encode()).hexdigest()[:44]
    body["authenticity_token"] = token
    return errors.json_response({"user": body})


def _visible_user(request: Request, principal: Principal, user_id: int) -> dict:
    user = state_of(request).store.users.get(user_id)
    if principal.role not in STAFF_ROLES and user_id != principal.id:
        raise errors.forbidden()
    if user is None:
        raise errors.record_not_found()
    return user


async def show_user(request: Request) -> Response:
    principal = require(request, "users", write=False, role="end-user")
    user = _visible_user(request, principal, request.path_params["user_id"])
    staff = principal.role in STAFF_ROLES
    return errors.json_response({"user": render.user(user, render.base_of(request), staff)})


async def show_many(request: Request) -> Response:
    """`ids=` or `external_ids=` (OAS ShowManyUsers: "a comma-separated list of up to 100 external ids")."""
    require(request, "users", write=False)
    directory = state_of(request).store.users
    raw_external = request.query_params.get("external_ids")
    if raw_external is not None and request.query_params.get("ids") is None:
        wanted = [part.strip() for part in raw_external.split(",") if part.strip()]
        if not wanted or len(wanted) > 100:
            raise errors.bad_request("external_ids takes 1 to 100 comma-separated external ids")
        found = [u for u in directory.overlay.values() if u.get("external_id") in wanted]
    else:
        ids = id_list(request.query_params.get("ids"))
        if len(ids) > 100:
            raise errors.bad_request("ids is limited to 100 per request")
        found = [u for u in (directory.get(i) for i in ids) if u is not None]
    base = render.base_of(request)
    return errors.json_response(
        {"users": [render.user(u, base) for u in sorted(found, key=lambda u: u["id"])]}
    )


async def count_users(request: Request) -> Response:
    """CountUsers (OAS `ticketing-2026-05.yaml`): "an approximate count of users. If the count exceeds
    100,000, it is updated every 24 hours", with `refreshed_at` saying when. Up to 100,000 the sandbox
    answers the exact count now; above, the count of the last refresh, refreshed once a sandbox-clock day.
    """
    require(request, "users", write=False)
    state = state_of(request)
    selection = UserSelection(request, state.store.users)
    value, refreshed_at = state.store.users.counts.read(selection.key, selection.count(), state.clock.now())
    return errors.json_response({"count": {"value": value, "refreshed_at": iso(refreshed_at)}})


async def search_users(request: Request) -> Response:
    """Users/search: offset pages over the matches (at most 1,000), scanned without blocking the server."""
    require(request, "users", write=False)
    if is_cursor_request(request):
        raise errors.bad_request("page must be an integer")
    directory = state_of(request).store.users
    page, per_page = offset_window(request, search=True)
    query = UserQuery.parse(request.query_params.get("query", ""))
    external_id = request.query_params.get("external_id")  # "does not support the search syntax"
    start = (page - 1) * per_page
    if external_id is not None:
        matched = sorted(
            (u for u in directory.overlay.values() if u.get("external_id") == external_id),
            key=lambda u: u["id"],
        )
        total, hits = len(matched), matched[start : start + per_page]
    elif query.finds_nothing:
        total, hits = 0, []
    elif query.is_role_only:
        total = directory.count_role(query.role)
        hits = list(islice(query.candidates(directory), start, start + per_page))
    else:
        matched = await user_query.select(query, directory, request.is_disconnected)
        total, hits = len(matched), matched[start : start + per_page]
    base = render.base_of(request)
    items = [render.user(u, base) for u in hits]
    return errors.json_response(offset_page(request, "users", total, items, page, per_page))


def _check_user_types(changes: dict) -> None:
    """A value of the wrong type is Zendesk's 422 RecordInvalid, and nothing is stored."""
    for name, value in changes.items():
        expected, nullable = USER_FIELD_TYPES[name]
        if value is None and nullable:
            continue
        wrong_bool = isinstance(value, bool) and expected is int
        if value is None or wrong_bool or not isinstance(value, expected):
            nothing = " or null" if nullable else ""
            label = name.replace("_", " ").capitalize()
            raise errors.record_invalid(name, f"{label}: must be {TYPE_WORDS[expected]}{nothing}")
    if not all(isinstance(t, str) for t in changes.get("tags") or []):
        raise errors.record_invalid("tags", "Tags: must be a list of strings")


async def update_user(request: Request) -> Response:
    principal = require(request, "users", write=True, role="admin")
    state = state_of(request)
    user_id = request.path_params["user_id"]
    user = _visible_user(request, principal, user_id)
    allowed, _, reset = state.buckets.hit(f"user-update:{user_id}", USER_UPDATES_PER_WINDOW)
    if not allowed:
        raise errors.rate_limited(
            retry_after_seconds(reset),
            "You have exceeded the rate limit for updating a single unique user. "
            f"user email: {user['email']} id: {user_id} external_id: {user['external_id'] or ''}",
        )
    fields = wrapped(await body_of(request), "user")
    changes = {k: v for k, v in fields.items() if k in UPDATABLE}
    if "role" in changes and changes["role"] not in ROLES:
        raise errors.record_invalid("role", f"Role: {changes['role']} is not a valid role")
    if "name" in changes and not str(changes["name"] or "").strip():
        raise errors.record_invalid("name", "Name: cannot be blank", "BlankValue")
    _check_user_types(changes)
    if "role" in changes:
        changes["role_type"] = (
            4 if changes["role"] == "admin" else (0 if changes["role"] == "agent" else None)
        )
    described = "; ".join(
        f"{k.replace('_', ' ').capitalize()} changed from {json.dumps(user.get(k))} to {json.dumps(v)}"
        for k, v in changes.items()
        if user.get(k) != v and k != "role_type"
    )
    updated = state.store.users.update(user_id, changes, state.clock.now())
    state.store.audit(principal.id, "update", "user", user_id, updated["name"], described or "No changes")
    return errors.json_response({"user": render.user(updated, render.base_of(request))})


# ---- incremental cursor export -------------------------------------------------------------------
def _export_cursor(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()


def _decode_export_cursor(cursor: str) -> tuple[str, str]:
    try:
        kind, value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return str(kind), str(value)
    except (ValueError, TypeError):
        raise errors.bad_request("cursor is invalid", "InvalidPaginationParameter") from None


def _first_generated_index(directory: UserDirectory, start: datetime) -> int:
    """The first generated user stamped at or after `start`.

    Generated users are stamped anchor - 30 days - (count - index) minutes."""
    minutes = (directory.anchor - timedelta(days=30) - start) / timedelta(minutes=1)
    return max(0, directory.count - int(minutes))


def _export_allowed(request: Request) -> None:
    require(request, "users", write=False, role="admin")
    state = state_of(request)
    allowed, _, reset = state.buckets.hit("incremental-exports", EXPORTS_PER_WINDOW)
    if not allowed:
        raise errors.rate_limited(retry_after_seconds(reset))


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


async def export_users_by_time(request: Request) -> Response:
    """Time-based export (OAS IncrementalUserExportTime, TimeBasedExportIncrementalUsersResponse):
    users changed at or after `start_time`, oldest first, up to 1,000 a page; the next page starts at
    the last user's time, so that user may appear again, as Zendesk documents for time-based exports."""
    _export_allowed(request)
    state = state_of(request)
    directory = state.store.users
    if request.query_params.get("start_time") is None:
        raise errors.bad_request("start_time is required")
    start_time = int_param(request, "start_time", 0)
    if start_time > state.clock.now().timestamp() - 60:
        raise errors.bad_request("start_time must be at least one minute in the past")
    size = min(max(int_param(request, "per_page", EXPORT_PAGE_SIZE), 1), EXPORT_PAGE_SIZE)
    start = datetime.fromtimestamp(start_time, UTC)
    users: list[dict] = []
    index = _first_generated_index(directory, start)
    while index < directory.count and len(users) <= size:
        user_id = USER_ID_BASE + index
        if user_id not in directory.overlay:
            users.append(directory.get(user_id))  # type: ignore[arg-type]
        index += 1
    changed = sorted(directory.overlay.values(), key=lambda u: (u["updated_at"], u["id"]))
    users += [u for u in changed if _epoch(u["updated_at"]) >= start_time][: size + 1]
    users.sort(key=lambda u: (u["updated_at"], u["id"]))
    page, end = users[:size], len(users) <= size
    end_time = _epoch(page[-1]["updated_at"]) if page else start_time
    if not end and _epoch(page[0]["updated_at"]) == end_time:
        end_time += 1  # a full page within one second: move on rather than serve it forever
    paging = {"per_page": size} if request.query_params.get("per_page") else {}
    base = render.base_of(request)
    return errors.json_response(
        {
            "users": [render.user(u, base) for u in page],
            "count": len(page),
            "end_of_stream": end,
            "end_time": end_time,
            "next_page": None
            if end
            else page_url(request, drop=("start_time",), start_time=end_time, **paging),
        }
    )


async def export_users(request: Request) -> Response:
    _export_allowed(request)
    state = state_of(request)
    directory = state.store.users
    size = min(max(int_param(request, "per_page", EXPORT_PAGE_SIZE), 1), EXPORT_PAGE_SIZE)
    cursor = request.query_params.get("cursor")
    if cursor:
        kind, position = _decode_export_cursor(cursor)
    else:
        raw_start = request.query_params.get("start_time")
        if raw_start is None:
            raise errors.bad_request("start_time or cursor is required")
        start = datetime.fromtimestamp(int_param(request, "start_time", 0), UTC)
        kind, position = "g", str(_first_generated_index(directory, start) - 1)
    users: list[dict] = []
    if kind == "g":
        index = int(position) + 1
        while index < directory.count and len(users) < size:
            user_id = USER_ID_BASE + index
            if user_id not in directory.overlay:
                users.append(directory.get(user_id))  # type: ignore[arg-type]
            index += 1
        if len(users) < size:
            kind, position = "o", ""
        else:
            position = str(index - 1)
    if kind == "o":
        changed = sorted(directory.overlay.values(), key=lambda u: (u["updated_at"], u["id"]))
        last = position
        for user in changed:
            key = f"{user['updated_at']}|{user['id']:020d}"
            if key > position and len(users) < size:
                users.append(user)
                last = key
        position = last
    end = kind == "o" and len(users) < size
    after = _export_cursor(kind, position)
    base = render.base_of(request)
    return errors.json_response(
        {
            "users": [render.user(u, base) for u in users],
            "after_cursor": after,
            "after_url": page_url(request, drop=("start_time", "cursor"), cursor=after),
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": end,
        }
    )


def routes() -> list[Route]:
    return [
        Route("/api/v2/users", list_users, methods=["GET"]),
        Route("/api/v2/users/me", me, methods=["GET"]),
        Route("/api/v2/users/search", search_users, methods=["GET"]),
        Route("/api/v2/users/show_many", show_many, methods=["GET"]),
        Route("/api/v2/users/count", count_users, methods=["GET"]),
        Route("/api/v2/users/{user_id:int}", show_user, methods=["GET"]),
        Route("/api/v2/users/{user_id:int}", update_user, methods=["PUT"]),
        Route("/api/v2/incremental/users/cursor", export_users, methods=["GET"]),
        Route("/api/v2/incremental/users", export_users_by_time, methods=["GET"]),
    ]
