"""OAuth tokens: list, get, current, create (holds ``full_token`` once), revoke."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zdlib.pagination import CursorPages
from zdlib.resources._base import Resource


class OAuthTokens(Resource):
    """``/api/v2/oauth/tokens``."""

    def list(self, all: bool = True, client_id: int | None = None) -> CursorPages:
        """Tokens (``all=True``: every user's, admins only); listings show only the first 10 characters."""
        params: dict[str, Any] = {"all": "true" if all else None, "client_id": client_id}
        return self._client.paginate("/api/v2/oauth/tokens", "tokens", params=params)

    def get(self, token_id: int) -> dict[str, Any]:
        return self._client.get(f"/api/v2/oauth/tokens/{int(token_id)}")["token"]

    def current(self) -> dict[str, Any]:
        """The token this client is using (OAuth credentials only)."""
        return self._client.get("/api/v2/oauth/tokens/current")["token"]

    def create(self, client_id: int, scopes: Iterable[str]) -> dict[str, Any]:
        """A non-expiring token for the client with this numeric id; ``full_token`` is shown only here."""
        body = {"token": {"client_id": int(client_id), "scopes": list(scopes)}}
        return self._client.post("/api/v2/oauth/tokens", body)["token"]

    def revoke(self, token_id: int) -> None:
        self._client.delete(f"/api/v2/oauth/tokens/{int(token_id)}")
