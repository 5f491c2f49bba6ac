"""CountUsers' freshness: exact up to 100,000, above that the count of the last daily refresh.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`, CountUsers: "Returns an approximate count of users.
If the count exceeds 100,000, it is updated every 24 hours. The response includes a `refreshed_at`
property ... a timestamp indicating when the count was last updated."
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta

EXACT_UP_TO = 100_000
REFRESH_EVERY = timedelta(hours=24)


class CountSnapshots:
    """The last refreshed count of each selection (role, roles, custom role), by the sandbox clock."""

    def __init__(self) -> None:
        self._taken: dict[Hashable, tuple[int, datetime]] = {}

    def read(self, key: Hashable, exact: int, now: datetime) -> tuple[int, datetime]:
        """(value, refreshed_at): `exact` now when it is at most 100,000 (or no refresh is due yet
        for a selection never counted), else the value of the refresh within the last 24 hours."""
        taken = self._taken.get(key)
        if exact <= EXACT_UP_TO and (taken is None or taken[0] <= EXACT_UP_TO):
            self._taken.pop(key, None)
            return exact, now
        if taken is None or now - taken[1] >= REFRESH_EVERY:
            taken = self._taken[key] = (exact, now)
        return taken
