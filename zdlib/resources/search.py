"""Search counts and custom roles: the few requests a census needs instead of a listing.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`: CountSearchResults (`GET /api/v2/search/count`,
`{"count": N}`, "The search string works the same as a regular search") and ListCustomRoles
(`GET /api/v2/custom_roles`, Enterprise plan and above).
"""

from __future__ import annotations

from typing import Any

from zdlib.resources._base import Resource


class Search(Resource):
    """``/api/v2/search``."""

    def count(self, query: str) -> int:
        """How many records match ``query`` (e.g. ``type:user is_suspended:true``)."""
        if not query.strip():
            raise ValueError("A search count needs a query, e.g. 'type:user is_suspended:true'.")
        return int(self._client.get("/api/v2/search/count", {"query": query})["count"])


class CustomRoles(Resource):
    """``/api/v2/custom_roles``."""

    def list(self) -> list[dict[str, Any]]:
        """The account's custom agent roles (Light Agent among them, ``role_type`` 1)."""
        return list(self._client.get("/api/v2/custom_roles").get("custom_roles") or [])
