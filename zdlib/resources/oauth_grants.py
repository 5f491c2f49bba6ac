"""Grant-type tokens at ``POST /oauth/tokens`` (not under /api/v2): client credentials and refresh."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zdlib.auth import NO_AUTH
from zdlib.resources._base import Resource


def _scope(scopes: str | Iterable[str]) -> str:
    return " ".join(scopes.replace(",", " ").split()) if isinstance(scopes, str) else " ".join(scopes)


class OAuthGrants(Resource):
    """The answers are bare objects: ``access_token``, ``token_type``, ``scope``, ``expires_in``, ..."""

    def _grant(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._client.post("/oauth/tokens", body, auth=NO_AUTH)

    def client_credentials(
        self, client_id: str, client_secret: str, scopes: str | Iterable[str], expires_in: int | None = None
    ) -> dict[str, Any]:
        """A token for a confidential client; ``client_id`` is the client's identifier (a string)."""
        body: dict[str, Any] = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": _scope(scopes),
        }
        if expires_in is not None:
            body["expires_in"] = int(expires_in)
        return self._grant(body)

    def refresh(
        self, refresh_token: str, client_id: str, client_secret: str, expires_in: int | None = None
    ) -> dict[str, Any]:
        """Exchange a refresh token for a new access token (the old pair stops working)."""
        body: dict[str, Any] = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        if expires_in is not None:
            body["expires_in"] = int(expires_in)
        return self._grant(body)
