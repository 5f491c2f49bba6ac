"""The sandbox clock: real time by default, or a chosen date from which time flows on.

Zendesk's credential timeline (password removal, API token retirement) is judged on this clock.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

PASSWORD_ACCESS_REMOVED = datetime(2026, 1, 1, tzinfo=UTC)
TOKEN_AUTO_DEACTIVATION_FROM = datetime(2026, 7, 28, tzinfo=UTC)
TOKEN_CREATION_STOPPED = datetime(2026, 10, 27, tzinfo=UTC)
TOKENS_RETIRED = datetime(2027, 4, 30, tzinfo=UTC)
TOKEN_IDLE_LIMIT = timedelta(days=30)
TOKEN_PURGE_AFTER = timedelta(days=60)  # a deactivated token is deleted 60 days later


def parse_instant(value: str | date | datetime) -> datetime:
    """An aware UTC datetime from `2026-11-28`, `2026-11-28T10:00:00Z`, a date or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(hour=12, tzinfo=UTC)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """Zendesk's timestamp form: `2026-11-28T12:00:00Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """Sandbox time = a chosen start instant + the real time elapsed since it was set."""

    def __init__(self, as_of: str | datetime | None = None) -> None:
        self.set(as_of)

    def set(self, as_of: str | date | datetime | None) -> None:
        self._start = datetime.now(UTC) if as_of is None else parse_instant(as_of)
        self._started_mono = time.monotonic()

    def advance(self, days: float = 0, seconds: float = 0) -> None:
        self._start += timedelta(days=days, seconds=seconds)

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started_mono)

    def password_access_allowed(self) -> bool:
        return self.now() < PASSWORD_ACCESS_REMOVED

    def token_creation_allowed(self) -> bool:
        return self.now() < TOKEN_CREATION_STOPPED

    def api_tokens_retired(self) -> bool:
        return self.now() >= TOKENS_RETIRED
