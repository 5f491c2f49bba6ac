"""API tokens: list (``GET /api/v2/api_tokens``) and the writes Admin Center performs.

The writes (POST/PUT/DELETE) are not in Zendesk's public reference; when an instance answers 404
``InvalidEndpoint`` or 405 the helpers raise ``ApiTokensUnsupported`` saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from zdlib.errors import ApiTokensUnsupported, ZendeskError
from zdlib.resources._base import Resource

T = TypeVar("T")
PATH = "/api/v2/api_tokens"


class ApiTokens(Resource):
    """``/api/v2/api_tokens`` (admins; Zendesk turns every token off on 2027-04-30)."""

    def _call(self, what: str, action: Callable[[], T], *, listing: bool = False) -> T:
        try:
            return action()
        except ZendeskError as exc:
            unsupported = exc.status == 405 or (
                exc.status == 404 and (listing or exc.code == "InvalidEndpoint")
            )
            if not unsupported:
                raise
            raise ApiTokensUnsupported(
                f"{what} is not supported by {self._client.base_url} ({exc.status} {exc.code or ''}, request "
                f"id {exc.request_id or 'none'}). API token access may be off for the account, or the "
                "instance does not offer this endpoint: do it in Admin Center > Apps and integrations > "
                "APIs.",
                status=exc.status,
                code=exc.code,
                description=exc.description,
                details=exc.details,
                request_id=exc.request_id,
                method=exc.method,
                url=exc.url,
            ) from exc

    def list(self, include_users: bool = True) -> list[dict[str, Any]]:
        """Every API token (one unpaginated list); ``include_users`` adds ``user_name``/``user_email``."""
        params = {"include_users": "true"} if include_users else None
        return self._call(
            "Listing API tokens", lambda: self._client.get(PATH, params)["api_tokens"], listing=True
        )

    def get(self, token_id: int) -> dict[str, Any]:
        return self._call(
            f"Reading API token {token_id}", lambda: self._client.get(f"{PATH}/{int(token_id)}")["api_token"]
        )

    def create(self, description: str) -> dict[str, Any]:
        """A new token; the answer holds the full ``token`` once (Zendesk stopped creation 2026-10-27)."""
        body = {"api_token": {"description": description}}
        return self._call("Creating an API token", lambda: self._client.post(PATH, body)["api_token"])

    def _set_active(self, token_id: int, active: bool) -> dict[str, Any]:
        body = {"api_token": {"active": active}}
        verb = "Reactivating" if active else "Deactivating"
        return self._call(
            f"{verb} API token {token_id}",
            lambda: self._client.put(f"{PATH}/{int(token_id)}", body)["api_token"],
        )

    def deactivate(self, token_id: int) -> dict[str, Any]:
        return self._set_active(token_id, False)

    def reactivate(self, token_id: int) -> dict[str, Any]:
        return self._set_active(token_id, True)

    def delete(self, token_id: int) -> None:
        """Delete for good (a deleted token can never be reactivated)."""
        self._call(f"Deleting API token {token_id}", lambda: self._client.delete(f"{PATH}/{int(token_id)}"))


__all__ = ["ApiTokens"]
