"""Fixed-window counters: the account limit and the endpoint buckets Zendesk documents."""

from __future__ import annotations

import math
import time


class FixedWindow:
    """`limit` requests per `window` seconds; windows are aligned to when the counter was made."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._origin = time.monotonic()
        self._window_index = 0
        self.used = 0

    def _roll(self, now: float) -> float:
        index = int((now - self._origin) // self.window)
        if index != self._window_index:
            self._window_index = index
            self.used = 0
        return self._origin + (index + 1) * self.window - now  # seconds until reset

    def hit(self) -> tuple[bool, int, float]:
        """Count one request: (allowed, remaining, seconds until the window resets)."""
        reset = self._roll(time.monotonic())
        self.used += 1
        return self.used <= self.limit, max(0, self.limit - self.used), reset

    def peek(self) -> tuple[int, float]:
        reset = self._roll(time.monotonic())
        return max(0, self.limit - self.used), reset


def retry_after_seconds(reset: float) -> str:
    """Zendesk's integer Retry-After, never 0."""
    return str(max(1, math.ceil(reset)))


class Buckets:
    """Named endpoint buckets, e.g. `incremental-exports` or `user-update:1000003`."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._buckets: dict[str, FixedWindow] = {}

    def hit(self, name: str, limit: int) -> tuple[bool, int, float]:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = FixedWindow(limit, self.window)
        return bucket.hit()
