"""OAuth clients: list, get, create (holds ``secret`` once), update, delete, generate_secret."""

from __future__ import annotations

from typing import Any

from zdlib.pagination import CursorPages
from zdlib.resources._base import Resource


class OAuthClients(Resource):
    """``/api/v2/oauth/clients`` (admins only)."""

    def list(self) -> CursorPages:
        return self._client.paginate("/api/v2/oauth/clients", "clients")

    def get(self, client_id: int) -> dict[str, Any]:
        return self._client.get(f"/api/v2/oauth/clients/{int(client_id)}")["client"]

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a client; the answer holds the full ``secret`` this once."""
        return self._client.post("/api/v2/oauth/clients", {"client": fields})["client"]

    def update(self, client_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._client.put(f"/api/v2/oauth/clients/{int(client_id)}", {"client": fields})["client"]

    def delete(self, client_id: int) -> None:
        self._client.delete(f"/api/v2/oauth/clients/{int(client_id)}")

    def generate_secret(self, client_id: int) -> dict[str, Any]:
        """A new secret (the old one stops working); the answer holds it this once."""
        return self._client.put(f"/api/v2/oauth/clients/{int(client_id)}/generate_secret")["client"]
