"""Zendesk's credential timeline and the facts runbooks need about API tokens and OAuth credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

API_TOKEN_CREATION_ENDED = date(2026, 10, 27)  # no account can create API tokens from this day
IDLE_RULE_STARTED = date(2026, 7, 28)  # tokens unused for 30 days are deactivated from this day
IDLE_DAYS = 30
API_TOKENS_END = date(2027, 4, 30)  # every API token stops working
MIGRATION_GUIDE = "https://developer.zendesk.com/documentation/api-basics/authentication/oauth-migration/"
KNOWN_SCOPES = frozenset({"read", "write", "impersonate"})
SCOPED_RESOURCES = frozenset(
    {
        "tickets", "users", "auditlogs", "organizations", "hc", "apps", "triggers", "automations", "targets",
        "webhooks", "macros", "requests", "satisfaction_ratings", "dynamic_content", "any_channel",
        "web_widget", "security",
    }
)  # fmt: skip
BROAD_SCOPES = frozenset({"write", "unrestricted", "impersonate"})
MIN_EXPIRES_IN, MAX_EXPIRES_IN = 300, 172_800


def api_token_creation_refusal(today: date) -> str | None:
    """Why an API token cannot be created on `today`, or None while Zendesk still allows it."""
    if today < API_TOKEN_CREATION_ENDED:
        return None
    ends = (
        "have stopped working"
        if today >= API_TOKENS_END
        else f"stop working on {API_TOKENS_END} ({(API_TOKENS_END - today).days} days from now)"
    )
    return (
        f"Zendesk no longer lets any account create API tokens (since {API_TOKEN_CREATION_ENDED}); it is "
        f"{today} on this instance. Existing API tokens {ends}, and tokens unused for {IDLE_DAYS} days are "
        "deactivated. Create an OAuth credential instead: run create_token with kind='oauth' (an OAuth "
        f"client for the request and a scoped, expiring token). See {MIGRATION_GUIDE}"
    )


def parse_scopes(scopes: str) -> list[str]:
    """`"read users:write"` or `"read,users:write"` -> a checked list; unknown scopes are an error."""
    items = [s for s in re.split(r"[\s,]+", scopes or "") if s]
    if not items:
        raise ValueError(
            "scopes is empty: give at least one scope, e.g. 'read' or 'users:read tickets:write'."
        )
    bad = [s for s in items if not _known_scope(s)]
    if bad:
        raise ValueError(
            f"Unknown scope(s) {', '.join(bad)}: use read, write, impersonate, or <resource>:read|write "
            f"with a resource among {', '.join(sorted(SCOPED_RESOURCES))}. Zendesk would issue a token "
            "that fails every request."
        )
    return items


def _known_scope(scope: str) -> bool:
    if scope in KNOWN_SCOPES or scope == "unrestricted":
        return True
    resource, _, access = scope.partition(":")
    return resource in SCOPED_RESOURCES and access in ("read", "write")


def check_expires_in(expires_in: int) -> int | None:
    """Seconds an access token lives: more than 300 and less than 172,800; 0 asks for Zendesk's default.

    Zendesk's default is not "never": OAuth clients created after 2026-04-30 have the default lifetime of
    30 minutes enforced (zendesk-2026-12-updates.md 1.1 #1 and #7), and create_token always creates a client.
    """
    if expires_in == 0:
        return None
    if not MIN_EXPIRES_IN < expires_in < MAX_EXPIRES_IN:
        raise ValueError(
            f"expires_in={expires_in} is outside Zendesk's bounds: give more than {MIN_EXPIRES_IN} and less "
            f"than {MAX_EXPIRES_IN} seconds (or 0 for Zendesk's default, 30 minutes for a new client)."
        )
    return expires_in


def is_broad(scopes: list[str] | None) -> bool:
    """Scopes that reach beyond reading specific resources: write, unrestricted, impersonate."""
    return bool(set(scopes or []) & BROAD_SCOPES)


def mentions(description: str | None, url: str) -> bool:
    """True if a credential's description names this access-request URL (exactly, not as a prefix)."""
    text = description or ""
    return any(word.rstrip(".,;)") == url.rstrip("/") or word.rstrip(".,;)/") == url.rstrip("/")
               for word in text.split())  # fmt: skip


def _day(stamp: str | None) -> date | None:
    return None if not stamp else datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()


@dataclass(frozen=True)
class CredentialFlags:
    """Rules for the audit: what counts as an access-request URL, and how long is idle."""

    today: date
    access_request_pattern: str = r"https://\S+"
    idle_days: int = IDLE_DAYS

    def api_tokens(self, tokens: list[dict]) -> pd.DataFrame:
        """One row per API token with its flags and the dates Zendesk will act on it."""
        rows = []
        for t in tokens:
            last = _day(t.get("last_used")) or _day(t.get("created_at"))
            idle_days = (self.today - last).days if last else None
            deactivation = max(last + timedelta(days=IDLE_DAYS), IDLE_RULE_STARTED) if last else None
            rows.append(
                {
                    "id": t.get("id"),
                    "description": t.get("description"),
                    "active": t.get("active"),
                    "owner": t.get("user_email") or t.get("user_id"),
                    "created_at": t.get("created_at"),
                    "last_used": t.get("last_used"),
                    "no_access_request": not re.search(
                        self.access_request_pattern, t.get("description") or ""
                    ),
                    "unused_30_days": idle_days is not None and idle_days >= self.idle_days,
                    "zendesk_deactivates_on": min(deactivation, API_TOKENS_END) if deactivation else None,
                    "live_api_token": bool(t.get("active")) and self.today < API_TOKENS_END,
                    "days_left": max((API_TOKENS_END - self.today).days, 0) if t.get("active") else 0,
                }
            )
        return pd.DataFrame(rows)

    def oauth_tokens(self, tokens: list[dict]) -> pd.DataFrame:
        """One row per OAuth token with its flags."""
        rows = []
        for t in tokens:
            expires = t.get("expires_at")
            rows.append(
                {
                    "id": t.get("id"),
                    "client_id": t.get("client_id"),
                    "user_id": t.get("user_id"),
                    "scopes": " ".join(t.get("scopes") or []),
                    "created_at": t.get("created_at"),
                    "used_at": t.get("used_at"),
                    "expires_at": expires,
                    "broad_scopes": is_broad(t.get("scopes")),
                    "never_expires": expires is None,
                    "expired": expires is not None and _day(expires) < self.today,
                }
            )
        return pd.DataFrame(rows)

    def oauth_clients(self, clients: list[dict], tokens: list[dict]) -> pd.DataFrame:
        """One row per OAuth client with its token count and flags."""
        counts: dict[Any, int] = {}
        for t in tokens:
            counts[t.get("client_id")] = counts.get(t.get("client_id"), 0) + 1
        rows = [
            {
                "id": c.get("id"),
                "name": c.get("name"),
                "identifier": c.get("identifier"),
                "description": c.get("description"),
                "owner": c.get("user_id"),
                "tokens": counts.get(c.get("id"), 0),
                "no_access_request": not re.search(self.access_request_pattern, c.get("description") or ""),
                "no_tokens": counts.get(c.get("id"), 0) == 0,
            }
            for c in clients
        ]
        return pd.DataFrame(rows)
