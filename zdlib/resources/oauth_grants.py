"""Grant-type tokens at ``POST /oauth/tokens`` (not under /api/v2): client credentials and refresh.

Zendesk facts (shared reference zendesk-2026-12-updates.md, cited as UPD): the answer is documented as 201
while zcli expects 200 for some grants, so any 2xx is success (UPD §1.1 #5); a client-credentials answer
has no refresh token (RFC 6749 §4.4.3, UPD §1.1 #4); unknown scope names are dropped silently, so compare
the granted ``scope`` with the requested one (UPD §1.1 #8, use :func:`dropped_scopes`); without
``expires_in`` a client created after 2026-04-30 gets a 30-minute token and an older one a token that never
expires (UPD §1.1 #1, #2: read :func:`granted_lifetime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zdlib.auth import NO_AUTH
from zdlib.resources._base import Resource


def _scope(scopes: str | Iterable[str]) -> str:
    return " ".join(scopes.replace(",", " ").split()) if isinstance(scopes, str) else " ".join(scopes)


def granted_scopes(grant: dict[str, Any]) -> list[str]:
    """The scopes Zendesk actually granted (its ``scope`` answer, space separated)."""
    return str(grant.get("scope") or "").split()


def dropped_scopes(requested: str | Iterable[str], grant: dict[str, Any]) -> list[str]:
    """Requested scopes missing from the grant (Zendesk drops names it does not know, without an error)."""
    granted = set(granted_scopes(grant))
    return [s for s in _scope(requested).split() if s not in granted]


def granted_lifetime(grant: dict[str, Any]) -> int | None:
    """Seconds the issued access token lives, or None when Zendesk gave no ``expires_in`` (never expires)."""
    value = grant.get("expires_in")
    return None if value in (None, "") else int(value)


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
