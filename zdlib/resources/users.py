"""Users: list, get, me, search, show_many, count, update, incremental export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zdlib.pagination import SEARCH_RESULT_LIMIT, CursorPages, IncrementalPages, OffsetPages
from zdlib.resources._base import Resource

SHOW_MANY_LIMIT = 100


@dataclass(frozen=True)
class UserCount:
    """CountUsers' answer (OAS `ticketing-2026-05.yaml`): "an approximate count of users. If the count
    exceeds 100,000, it is updated every 24 hours"; `refreshed_at` says when, and is null while a refresh
    runs, when "the value is limited to 100,000 until the update is complete"."""

    value: int
    refreshed_at: str | None


class Users(Resource):
    """``/api/v2/users``."""

    def iterate(
        self,
        role: str | None = None,
        page_size: int = 100,
        cursor: str | None = None,
        roles: Sequence[str] = (),
    ) -> CursorPages:
        """Every user (optionally of one role, or of any of ``roles`` by ``role[]``), lazily, with
        cursor pagination."""
        params: dict[str, Any] = {"role": role}
        if roles:
            params = {"role[]": list(roles)}
        return self._client.paginate(
            "/api/v2/users", "users", params=params, page_size=page_size, cursor=cursor
        )

    def get(self, user_id: int) -> dict[str, Any]:
        return self._client.get(f"/api/v2/users/{int(user_id)}")["user"]

    def me(self) -> dict[str, Any]:
        """The user the credential acts as."""
        return self._client.get("/api/v2/users/me")["user"]

    def search(self, query: str) -> OffsetPages:
        """Search users (offset pagination). Zendesk returns at most 1,000 results: the listing stops there
        and sets ``truncated`` (``count`` holds Zendesk's total of matches)."""
        pages = self._client.paginate_offset("/api/v2/users/search", "users", params={"query": query})
        return pages.limit_results(SEARCH_RESULT_LIMIT)

    def show_many(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """Several users by id, 100 per request."""
        wanted = [int(i) for i in ids]
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), SHOW_MANY_LIMIT):
            chunk = ",".join(str(i) for i in wanted[start : start + SHOW_MANY_LIMIT])
            found.extend(self._client.get("/api/v2/users/show_many", {"ids": chunk})["users"])
        return found

    def count(self, role: str | None = None) -> int:
        """Zendesk's (approximate above 100,000) count of users."""
        return self.count_of(roles=(role,) if role else ()).value

    def count_of(self, roles: Sequence[str] = (), permission_set: int | None = None) -> UserCount:
        """The count of users of ``roles`` (``role[]``, any of them) and/or custom role ``permission_set``
        (Enterprise), with when Zendesk last refreshed it."""
        params: dict[str, Any] = {}
        if len(roles) == 1:
            params["role"] = roles[0]
        elif roles:
            params["role[]"] = list(roles)
        if permission_set is not None:
            params["permission_set"] = int(permission_set)
        count = self._client.get("/api/v2/users/count", params or None)["count"]
        return UserCount(int(count["value"]), count.get("refreshed_at"))

    def update(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._client.put(f"/api/v2/users/{int(user_id)}", {"user": fields})["user"]

    def export(self, start_time: int = 0, cursor: str | None = None) -> IncrementalPages:
        """Incremental cursor export of users changed since ``start_time`` (or from ``cursor``)."""
        return self._client.incremental(
            "/api/v2/incremental/users/cursor", "users", start_time=start_time, cursor=cursor
        )
