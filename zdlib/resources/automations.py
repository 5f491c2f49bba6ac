"""Automations: list, active, get, create, update, activate, deactivate, delete, search."""

from __future__ import annotations

from typing import Any

from zdlib.pagination import CursorPages, OffsetPages
from zdlib.resources._base import Resource


class Automations(Resource):
    """``/api/v2/automations``."""

    def list(self, active: bool | None = None) -> CursorPages:
        params = None if active is None else {"active": "true" if active else "false"}
        return self._client.paginate("/api/v2/automations", "automations", params=params)

    def active(self) -> CursorPages:
        return self._client.paginate("/api/v2/automations/active", "automations")

    def get(self, automation_id: int) -> dict[str, Any]:
        return self._client.get(f"/api/v2/automations/{int(automation_id)}")["automation"]

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create (a POST: not retried on 5xx; look it up before trying again)."""
        return self._client.post("/api/v2/automations", {"automation": fields})["automation"]

    def update(self, automation_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._client.put(f"/api/v2/automations/{int(automation_id)}", {"automation": fields})[
            "automation"
        ]

    def deactivate(self, automation_id: int) -> dict[str, Any]:
        return self.update(automation_id, {"active": False})

    def activate(self, automation_id: int) -> dict[str, Any]:
        return self.update(automation_id, {"active": True})

    def delete(self, automation_id: int) -> None:
        self._client.delete(f"/api/v2/automations/{int(automation_id)}")

    def search(self, query: str) -> OffsetPages:
        return self._client.paginate_offset(
            "/api/v2/automations/search", "automations", params={"query": query}
        )
