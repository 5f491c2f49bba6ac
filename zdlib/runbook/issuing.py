"""Issuing and revoking credentials: requester checks, idempotency lookups, and proofs that a secret works."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zdlib.auth import ApiTokenAuth, BearerAuth
from zdlib.errors import AuthenticationError, NotFound, PermissionDenied
from zdlib.runbook.credentials import mentions

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_user_by_email(client: Any, email: str) -> dict | None:
    """The user whose primary email is `email` (case-insensitive), or None."""
    if not EMAIL.match(email or ""):
        raise ValueError(f"requester_email={email!r} is not an email address.")
    wanted = email.strip().lower()
    for user in client.users.search(f"email:{wanted}"):
        if (user.get("email") or "").lower() == wanted:
            return user
    return None


def requester_problems(user: dict) -> list[str]:
    """Why a user cannot hold a credential: inactive (deleted), suspended or unverified."""
    problems = []
    if not user.get("active", True):
        problems.append("the user is deleted (inactive)")
    if user.get("suspended"):
        problems.append("the user is suspended")
    if not user.get("verified"):
        problems.append("the user has not verified their email (Zendesk only authenticates verified users)")
    return problems


@dataclass
class RequestCredentials:
    """Credentials already tied to one access-request URL."""

    url: str
    api_tokens: list[dict] = field(default_factory=list)
    oauth_clients: list[dict] = field(default_factory=list)
    oauth_tokens: list[dict] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """One row per credential, for a table."""
        rows = [
            {
                "kind": "api_token",
                "id": t.get("id"),
                "active": t.get("active"),
                "detail": t.get("description"),
            }
            for t in self.api_tokens
        ]
        rows += [
            {"kind": "oauth_client", "id": c.get("id"), "active": True, "detail": c.get("identifier")}
            for c in self.oauth_clients
        ]
        rows += [
            {
                "kind": "oauth_token",
                "id": t.get("id"),
                "active": True,
                "detail": " ".join(t.get("scopes") or []),
            }
            for t in self.oauth_tokens
        ]
        return rows


def find_request_credentials(client: Any, url: str, *, api_tokens: bool = True) -> RequestCredentials:
    """Every API token, OAuth client and OAuth token whose description names the access request."""
    found = RequestCredentials(url)
    if api_tokens:
        found.api_tokens = [
            t for t in client.api_tokens.list(include_users=True) if mentions(t.get("description"), url)
        ]
    found.oauth_clients = [c for c in client.oauth_clients.list() if mentions(c.get("description"), url)]
    for oauth_client in found.oauth_clients:
        found.oauth_tokens += list(client.oauth_tokens.list(all=True, client_id=oauth_client["id"]))
    return found


def client_identifier(url: str) -> str:
    """A unique, readable OAuth client identifier derived from the access-request URL."""
    tail = re.sub(r"[^a-z0-9]+", "_", url.lower().split("://", 1)[-1]).strip("_")
    return f"access_request_{tail[-60:]}"


def whoami(client: Any, secret: str, *, email: str | None = None) -> dict | None:
    """The user a secret acts as, or None if Zendesk does not accept it (401 or anonymous).

    With `email`, the secret is an API token (`email/token:TOKEN`); without, an OAuth bearer token.
    """
    auth = ApiTokenAuth(email, secret, warn=False) if email else BearerAuth(secret)
    try:
        user = client.with_auth(auth).get("/api/v2/users/me").get("user") or {}
    except AuthenticationError:
        return None
    return user if user.get("id") else None


def token_record(client: Any, access_token: str, client_id: Any) -> dict | None:
    """The token record (id, scopes, expiry) of a bearer token.

    Read with the token itself where its scopes allow (`/oauth/tokens/current`), else found among the
    client's tokens by the 10-character prefix that Zendesk lists.
    """
    try:
        return client.request("GET", "/api/v2/oauth/tokens/current", auth=BearerAuth(access_token)).json()[
            "token"
        ]
    except (AuthenticationError, NotFound):
        return None
    except PermissionDenied:
        pass
    prefix = access_token[:10]
    listed = [t for t in client.oauth_tokens.list(all=True, client_id=client_id) if t.get("token") == prefix]
    return listed[0] if len(listed) == 1 else None
