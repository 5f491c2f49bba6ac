"""Fault injection: latency, 5xx at a rate, bursts of 429, dropped connections, a repeating cursor."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from email.utils import formatdate
from time import time
from typing import Any

RetryAfter = int | float | str | None


@dataclass
class FaultSettings:
    """Switchable at start (`--latency-ms`, `--fail-rate`) and at run time (`POST /sandbox/faults`)."""

    latency_ms: float = 0.0
    fail_rate: float = 0.0  # share of API requests answered with a 5xx
    fail_statuses: tuple[int, ...] = (500, 502, 503)
    fail_retry_after: RetryAfter = None  # Retry-After on injected 503s (None = absent)
    burst_429: int = 0  # the next N API requests get a 429
    burst_retry_after: RetryAfter = 1  # int, float, "50, 53", "http-date+N" or None (absent)
    drop_rate: float = 0.0  # share of API requests whose connection is closed without an answer
    drop_next: int = 0  # the next N API requests get their connection closed
    repeat_cursor: bool = False  # cursor pages answer with the cursor they were asked for

    def update(self, changes: dict[str, Any]) -> None:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            if name == "fail_statuses":
                value = tuple(int(v) for v in value)
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fail_statuses"] = list(self.fail_statuses)
        return data


def render_retry_after(value: RetryAfter) -> str | None:
    """The header value for a configured Retry-After form."""
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("http-date"):
        offset = float(value.partition("+")[2] or 1)
        return formatdate(time() + offset, usegmt=True)
    return str(value)


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, settings: FaultSettings, seed: int) -> None:
        self.settings = settings
        self._rng = random.Random(seed)

    def should_drop(self) -> bool:
        s = self.settings
        if s.drop_next > 0:
            s.drop_next -= 1
            return True
        return s.drop_rate > 0 and self._rng.random() < s.drop_rate

    def burst_429(self) -> bool:
        if self.settings.burst_429 > 0:
            self.settings.burst_429 -= 1
            return True
        return False

    def server_error(self) -> int | None:
        s = self.settings
        if s.fail_rate > 0 and self._rng.random() < s.fail_rate:
            return self._rng.choice(s.fail_statuses)
        return None
