"""Search counts and custom roles: the few requests a census needs instead of a listing.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`: CountSearchResults (`GET /api/v2/search/count`,
`{"count": N}`, "The search string works the same as a regular search"), ExportSearchResults
(`GET /api/v2/search/export`: every match, "ordered only by the `created_at` attribute", a cursor page of
at most 1000, the type in `filter[type]` and never in the query, a cursor that "expires after one hour")
and ListCustomRoles (`GET /api/v2/custom_roles`, Enterprise plan and above).
"""

from __future__ import annotations

from typing import Any

from zdlib.pagination import CursorPages
from zdlib.resources._base import Resource

EXPORT_TYPES = ("ticket", "organization", "user", "group")  # OAS ExportSearchResults, `filter[type]`
EXPORT_PAGE_LIMIT = 1000  # "Returns a maximum of 1000 records per page" (OAS ExportSearchResults)


class Search(Resource):
    """``/api/v2/search``."""

    def count(self, query: str) -> int:
        """How many records match ``query`` (e.g. ``type:user is_suspended:true``)."""
        if not query.strip():
            raise ValueError("A search count needs a query, e.g. 'type:user is_suspended:true'.")
        return int(self._client.get("/api/v2/search/count", {"query": query})["count"])

    def export(
        self, query: str, type: str = "user", page_size: int = EXPORT_PAGE_LIMIT, cursor: str | None = None
    ) -> CursorPages:
        """Every record of ``type`` matching ``query`` (beyond search's 1,000), lazily, oldest first.

        Resuming from ``cursor`` works within the hour Zendesk keeps a cursor; after that, start again.
        """
        if not query.strip():
            raise ValueError("A search export needs a query, e.g. 'role:agent' (the type goes in type=).")
        if type not in EXPORT_TYPES:
            raise ValueError(f"type={type!r} is not one of {', '.join(EXPORT_TYPES)}.")
        if not 1 <= page_size <= EXPORT_PAGE_LIMIT:
            raise ValueError(f"page_size={page_size} is not between 1 and {EXPORT_PAGE_LIMIT}.")
        params = {"query": query, "filter[type]": type}
        return self._client.paginate(
            "/api/v2/search/export",
            "results",
            params=params,
            page_size=page_size,
            cursor=cursor,
            max_page_size=EXPORT_PAGE_LIMIT,
        )


class CustomRoles(Resource):
    """``/api/v2/custom_roles``."""

    def list(self) -> list[dict[str, Any]]:
        """The account's custom agent roles (Light Agent among them, ``role_type`` 1)."""
        return list(self._client.get("/api/v2/custom_roles").get("custom_roles") or [])
