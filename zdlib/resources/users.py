"""Users: list, get, me, search, show_many, count, update, incremental export."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zdlib.pagination import SEARCH_RESULT_LIMIT, CursorPages, IncrementalPages, OffsetPages
from zdlib.resources._base import Resource

SHOW_MANY_LIMIT = 100


class Users(Resource):
    """``/api/v2/users``."""

    def iterate(
        self, role: str | None = None, page_size: int = 100, cursor: str | None = None
    ) -> CursorPages:
        """Every user (optionally of one role), lazily, with cursor pagination."""
        return self._client.paginate(
            "/api/v2/users", "users", params={"role": role}, page_size=page_size, cursor=cursor
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
        params = {"role": role} if role else None
        return int(self._client.get("/api/v2/users/count", params)["count"]["value"])

    def update(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._client.put(f"/api/v2/users/{int(user_id)}", {"user": fields})["user"]

    def export(self, start_time: int = 0, cursor: str | None = None) -> IncrementalPages:
        """Incremental cursor export of users changed since ``start_time`` (or from ``cursor``)."""
        return self._client.incremental(
            "/api/v2/incremental/users/cursor", "users", start_time=start_time, cursor=cursor
        )
