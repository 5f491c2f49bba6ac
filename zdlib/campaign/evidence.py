"""Typed evidence the campaign reads for one API token, and the policy that weighs it.

Sources (shared/reviews/2026-12-04/migration-research.md §1.1, §1.2): the `GET /api/v2/api_tokens`
listing entry (`active`, `created_at`, `updated_at`, `last_used`); OAuth tokens of the replacing client
(`used_at`, "the latest time this token was used for authentication", OAS `OAuthTokenObject`); index lines
of the records that issued the replacing client or verified a deactivation; the access request named in
the token's description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# Zendesk's announcement (shared/reference/zendesk-2026-12-updates.md §1.1 #1, DOC [ZD-MIG]): every API token
# stops working on 2027-04-30; a token deactivated by the 30-day rule is deleted 60 days later.
DEADLINE = date(2027, 4, 30)
PURGE_AFTER = timedelta(days=60)
# The same source: a token unused for 30 days is deactivated by Zendesk (an inactive token idle for less when
# it was deactivated was switched off by a person, not by the rule).
IDLE_RULE = timedelta(days=30)


@dataclass(frozen=True)
class ListedToken:
    """One entry of `GET /api/v2/api_tokens` (the secret `token` field is never carried)."""

    id: int
    description: str
    active: bool
    created_at: datetime
    updated_at: datetime
    last_used: datetime | None

    @classmethod
    def from_api(cls, entry: dict) -> ListedToken:
        """Parse one listing entry. The field is `last_used` in Zendesk's ListApiTokens example (Cartography's
        fixture); a community script reads `last_used_at`: both are read (migration-research.md §1.1)."""
        try:
            used = entry.get("last_used", entry.get("last_used_at"))
            return cls(
                int(entry["id"]),
                str(entry.get("description") or ""),
                bool(entry["active"]),
                _instant(entry["created_at"]),
                _instant(entry["updated_at"]),
                _instant(used) if used else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"api_tokens entry {entry.get('id')!r} is not a listing entry: {exc!r}"
            ) from None


def _instant(text: str) -> datetime:
    """Zendesk's `2026-11-28T12:00:00Z` as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class OAuthTokenUse:
    """One token of the replacing client: `GET /api/v2/oauth/tokens?client_id=…` (`used_at` may be null)."""

    id: int
    client_id: int
    used_at: datetime | None


@dataclass(frozen=True)
class RecordLine:
    """An index line of a record that moved the token: its record name and when it was applied."""

    record: str
    at: datetime


@dataclass(frozen=True)
class ClientIssued(RecordLine):
    """create_token issued OAuth client `client_id` with `replaces_api_token` naming this token."""

    client_id: int = 0


@dataclass(frozen=True)
class AccessRequest:
    """The access request the token's description names, as resolved on GitLab (or the owner's ack)."""

    url: str
    owner: str | None
    resolved_at: datetime | None
    retired_at: datetime | None = None


@dataclass(frozen=True)
class Policy:
    """The policy for one consumer: soak window, quiet period before `done`, margin before the date."""

    soak: timedelta = timedelta(days=7)
    quiet: timedelta = timedelta(days=14)
    margin: timedelta = timedelta(days=14)
    orphan_after_reminders: int = 3
    deadline: date = DEADLINE

    def __post_init__(self) -> None:
        for name in ("soak", "quiet", "margin"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"campaign policy: {name} must not be negative; set it to 0 days or more")
        if self.orphan_after_reminders < 1:
            raise ValueError("campaign policy: orphan_after_reminders must be at least 1")

    @property
    def last_safe_switch(self) -> date:
        """The last day a consumer can switch and still finish its soak and margin before the deadline."""
        return self.deadline - self.soak - self.margin


@dataclass(frozen=True)
class TokenEvidence:
    """Everything known about one API token; `listed` is None when the token is gone from the listing."""

    token_id: int
    listed: ListedToken | None
    access_request: AccessRequest | None = None
    issued: ClientIssued | None = None
    oauth_tokens: tuple[OAuthTokenUse, ...] = ()
    deactivation: RecordLine | None = None
    reminders: tuple[RecordLine, ...] = field(default=())
