"""CountUsers' freshness: exact up to 100,000, above that the count of the last daily refresh, capped
while a refresh runs.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`, CountUsers: "Returns an approximate count of users.
If the count exceeds 100,000, it is updated every 24 hours. The response includes a `refreshed_at`
property ... a timestamp indicating when the count was last updated." and its **Note**: "When the count
exceeds 100,000, the `refreshed_at` property may occasionally be null. This indicates that the count is
being updated in the background. The `count` object's `value` property is limited to 100,000 until the
update is complete." (also `reference/zendesk-api.md`, Users, `/users/count`).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta

EXACT_UP_TO = 100_000
REFRESH_EVERY = timedelta(hours=24)
REFRESH_TAKES = timedelta(minutes=5)  # the sandbox's chosen length of a refresh (Zendesk does not say)


class CountSnapshots:
    """The last refreshed count of each selection (role, roles, custom role), by the sandbox clock."""

    def __init__(self) -> None:
        self._taken: dict[Hashable, tuple[int, datetime]] = {}

    def read(self, key: Hashable, exact: int, now: datetime) -> tuple[int, datetime | None]:
        """(value, refreshed_at): `exact` now when it is at most 100,000 (and no larger snapshot stands);
        else the snapshot of the last refresh. A refresh falls due every 24 hours after the last one and
        takes `REFRESH_TAKES`: meanwhile the value is capped at 100,000 and `refreshed_at` is None; then
        the snapshot is the exact value of the moment it is first asked for, stamped when the refresh
        ended (the sandbox keeps no history of counts)."""
        taken = self._taken.get(key)
        if exact <= EXACT_UP_TO and (taken is None or taken[0] <= EXACT_UP_TO):
            self._taken.pop(key, None)
            return exact, now
        if taken is None:
            taken = self._taken[key] = (exact, now)
            return taken
        value, refreshed_at = taken
        days = (now - refreshed_at) // REFRESH_EVERY
        if days < 1:
            return taken
        started = refreshed_at + days * REFRESH_EVERY
        if now < started + REFRESH_TAKES:
            return min(value, EXACT_UP_TO), None
        taken = self._taken[key] = (exact, started + REFRESH_TAKES)
        return taken
