"""A fixed-window rate-limited fake Zendesk for pacing tests (thread-safe, any clock)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import httpx


class WindowedServer:
    """``limit`` requests per ``window`` seconds; 429 with ``Retry-After`` beyond; rate headers always."""

    def __init__(
        self,
        clock: Callable[[], float],
        limit: int,
        window: float,
        *,
        latency: float = 0.0,
        advance: Callable[[float], None] | None = None,
        reset_rounding: Callable[[float], float] = math.ceil,
        body: Callable[[httpx.Request], dict] | None = None,
    ) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self.latency, self.advance, self.rounding = latency, advance, reset_rounding
        self.body = body or (lambda request: {"ok": True})
        self.lock = threading.Lock()
        self.window_start = clock()
        self.used = 0
        self.requests = 0
        self.too_many = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.advance is not None and self.latency:
            self.advance(self.latency)
        with self.lock:
            now = self.clock()
            while now >= self.window_start + self.window:
                self.window_start += self.window
                self.used = 0
            self.requests += 1
            reset_in = self.window_start + self.window - now
            reset = f"{self.rounding(reset_in):g}"
            if self.used >= self.limit:
                self.too_many += 1
                return httpx.Response(
                    429,
                    text="Number of allowed API requests per minute exceeded",
                    headers={"Retry-After": f"{self.rounding(reset_in):g}", "ratelimit-remaining": "0"},
                )
            self.used += 1
            remaining = self.limit - self.used
        return httpx.Response(
            200,
            json=self.body(request),
            headers={
                "ratelimit-limit": str(self.limit),
                "ratelimit-remaining": str(remaining),
                "ratelimit-reset": reset,
                "x-rate-limit": str(self.limit),
                "x-rate-limit-remaining": str(remaining),
            },
        )
