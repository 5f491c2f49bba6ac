"""Request counters for `GET /sandbox/stats`: the neutral referee of benchmarks and tests."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def endpoint_of(method: str, path: str) -> str:
    """`PUT /api/v2/automations/{id}` for `PUT /api/v2/automations/12345`."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


def family_of(method: str, path: str) -> str:
    """`GET users` for any `GET /api/v2/users...`; `POST oauth` for `POST /oauth/tokens`."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v2"]:
        parts = parts[2:]
    return f"{method} {parts[0] if parts else '/'}"


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.in_flight = 0
        self.peak_concurrency = 0
        self.by_status: Counter[int] = Counter()
        self.by_endpoint: Counter[str] = Counter()
        self.by_family: Counter[str] = Counter()
        self.dropped = 0

    def started(self, method: str, path: str) -> None:
        self.total += 1
        self.in_flight += 1
        self.peak_concurrency = max(self.peak_concurrency, self.in_flight)
        self.by_endpoint[endpoint_of(method, path)] += 1
        self.by_family[family_of(method, path)] += 1

    def finished(self, status: int | None) -> None:
        """Count the answer: 0 = connection dropped on purpose, None = the app crashed (uvicorn sent 500)."""
        self.in_flight -= 1
        if status == 0:
            self.dropped += 1
        else:
            self.by_status[status or 500] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "rate_limited": self.by_status.get(429, 0),
            "dropped": self.dropped,
            "peak_concurrency": self.peak_concurrency,
            "in_flight": self.in_flight,
            "by_family": dict(sorted(self.by_family.items())),
            "by_endpoint": dict(sorted(self.by_endpoint.items())),
        }
