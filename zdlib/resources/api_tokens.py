"""API tokens: the one listing Zendesk documents, ``GET /api/v2/api_tokens``.

Evidence (``reference/zendesk-api.md`` section 5.5): the listing is Zendesk's ``ListApiTokens`` (one
unpaginated ``api_tokens`` array, ``include_users=true`` adds ``user_name``/``user_email``), added to
Zendesk's OpenAPI document after May 2026 (not in ``reference/zendesk-oas/ticketing-2026-05.yaml``).
Reading one token, creating, deactivating, reactivating and deleting have **no public endpoint**
(section 5.5, "Create / update (deactivate) / delete via API": no public evidence; Admin Center only), so
this library offers none: a runbook hands those steps to the person in Admin Center. The sandbox's
opt-in imitation of them (``--api-token-writes``) is not part of the client.
"""

from __future__ import annotations

from typing import Any

from zdlib.errors import ApiTokensUnsupported, ZendeskError
from zdlib.resources._base import Resource

PATH = "/api/v2/api_tokens"


def with_last_used(token: dict[str, Any]) -> dict[str, Any]:
    """The token with ``last_used`` set from ``last_used_at`` when only that is present.

    Section 5.5: the fixture of Zendesk's ``ListApiTokens`` example (as Cartography copies it) names the
    field ``last_used``; a third-party script reads ``last_used_at``. Both are accepted; both are kept.
    """
    if token.get("last_used") is None and token.get("last_used_at") is not None:
        return {**token, "last_used": token["last_used_at"]}
    return token


class ApiTokens(Resource):
    """``/api/v2/api_tokens`` (admins; Zendesk turns every token off on 2027-04-30)."""

    def list(self, include_users: bool = True) -> list[dict[str, Any]]:
        """Every API token (one unpaginated list); ``include_users`` adds ``user_name``/``user_email``.

        A 404 or 405 raises ``ApiTokensUnsupported`` (section 5.5: Cartography reads a 404 here as token
        access being off for the account).
        """
        params = {"include_users": "true"} if include_users else None
        try:
            listed = self._client.get(PATH, params)["api_tokens"]
        except ZendeskError as exc:
            if exc.status not in (404, 405):
                raise
            raise self._unsupported(exc) from exc
        return [with_last_used(token) for token in listed]

    def _unsupported(self, exc: ZendeskError) -> ApiTokensUnsupported:
        return ApiTokensUnsupported(
            f"Listing API tokens is not supported by {self._client.base_url} ({exc.status} "
            f"{exc.code or ''}, request id {exc.request_id or 'none'}). API token access may be off for the "
            "account, or the instance does not offer this endpoint: do it in Admin Center > Apps and "
            "integrations > APIs.",
            status=exc.status,
            code=exc.code,
            description=exc.description,
            details=exc.details,
            request_id=exc.request_id,
            method=exc.method,
            url=exc.url,
        )


__all__ = ["ApiTokens", "with_last_used"]
