"""Pacing from Zendesk's own rate-limit headers, shared by every thread using one client.

The pacer keeps, per window (the account's, and each ``Zendesk-RateLimit-<bucket>`` seen on a route),
the limit, what remains and when it resets. Before a request it checks:

1. a pause set by a 429: every worker waits until the same instant;
2. ``available = remaining - reserve``, where ``remaining`` is the server's figure less every request
   sent since (in-flight requests count as spent) and the reserve is the part of the limit left to
   others by ``ZENDESK_RATE_SHARE``. At zero it waits for the reset;
3. optionally (``tail_fraction``, off by default because it delays a job that ends mid-window), the
   last part of the budget is spread over the time left instead of burst;
4. after a reset (or at the start) one probe request goes first, so a stale estimate costs at most one
   request, not one per thread.

It never sleeps while the budget allows sending, so sequential and concurrent jobs run at the floor the
server's limit allows. All methods are thread-safe; ``clock`` and ``sleep`` can be injected for tests.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from zdlib.errors import DeadlineExceeded
from zdlib.retry import header_seconds

_BUCKET_FIELD = re.compile(r"(total|remaining|resets)\s*=\s*(\d+(?:\.\d+)?)")
PROBE_POLL_S = 0.002
RESET_ROUNDING = 0.5  # `ratelimit-reset` is whole seconds, rounded: the true reset is within half a second


def rounding_margin(seconds: float) -> float:
    """How late the true reset may be: half a second for whole seconds, next to nothing for fractions."""
    return RESET_ROUNDING if float(seconds).is_integer() else 0.0005


@dataclass(frozen=True)
class ClientEvent:
    """What ``on_event`` receives. ``kind`` is one of ``wait`` (pacing or rate-limit pause), ``retry``,
    ``rate_limited`` (a 429 arrived), ``token_renewed``, ``token_revoked``, ``token_revoke_failed``, and
    ``page`` (a listing fetched page ``attempt`` of ``path``; ``items`` so far)."""

    kind: str
    method: str = ""
    path: str = ""
    attempt: int = 0
    wait_s: float = 0.0
    status: int | None = None
    reason: str = ""
    request_id: str | None = None
    items: int = 0


class _Window:
    """One rate-limit window: the account's or an endpoint bucket's."""

    __slots__ = ("limit", "name", "remaining", "reserve", "reset_at", "server_low", "stale")

    def __init__(self, name: str) -> None:
        self.name = name
        self.limit: int | None = None
        self.remaining = 0
        self.reserve = 0
        self.reset_at: float | None = None
        self.server_low: int | None = None  # the lowest `remaining` the server reported in this window
        self.stale = True


def parse_bucket(value: str) -> tuple[int | None, int | None, float | None]:
    """``total=100; remaining=99; resets=41`` -> (100, 99, 41.0)."""
    fields = dict(_BUCKET_FIELD.findall(value))
    total = int(float(fields["total"])) if "total" in fields else None
    remaining = int(float(fields["remaining"])) if "remaining" in fields else None
    resets = float(fields["resets"]) if "resets" in fields else None
    return total, remaining, resets


def _int_header(headers: httpx.Headers, *names: str) -> int | None:
    for name in names:
        raw = headers.get(name)
        if raw:
            try:
                return int(float(raw.split(",")[0]))
            except ValueError:
                continue
    return None


class Pacer:
    """A thread-safe limiter fed by response headers."""

    def __init__(
        self,
        *,
        share: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[float, str], None] | None = None,
        default_window: float = 60.0,
        tail_fraction: float = 0.0,
    ) -> None:
        self.share = share
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait
        self._default_window = default_window
        self._tail_fraction = tail_fraction
        self._lock = threading.Lock()
        self._account = _Window("account")
        self._buckets: dict[str, _Window] = {}
        self._routes: dict[str, tuple[str, ...]] = {}
        self._in_flight = 0
        self._pause_until = 0.0
        self._last_send = -math.inf
        self._rolled_at = -math.inf
        self._reset_slack = 0.0

    # -- before a request -------------------------------------------------------------------------
    def acquire(self, route: str = "", deadline: float | None = None) -> float:
        """Block until a request on ``route`` may be sent; return the seconds waited.

        Raises ``DeadlineExceeded`` (with ``retry_after``) if the wait would end after ``deadline``.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait, reason = self._wait_needed(route, now)
                if wait <= 0:
                    for window in self._windows(route):
                        window.remaining -= 1
                    self._in_flight += 1
                    self._last_send = now
                    return waited
            if deadline is not None and now + wait > deadline:
                raise DeadlineExceeded(
                    f"Waiting {wait:.1f} s for the rate limit ({reason}) would pass the deadline "
                    "(ZENDESK_DEADLINE). Retry later, or raise the deadline.",
                    retry_after=wait,
                )
            if reason != "probe" and self._on_wait is not None:
                self._on_wait(wait, reason)
            self._sleep(wait)
            waited += wait

    def _windows(self, route: str) -> list[_Window]:
        names = self._routes.get(route, ())
        return [self._account, *(self._buckets[n] for n in names)]

    def _wait_needed(self, route: str, now: float) -> tuple[float, str]:
        if self._pause_until > now:
            return self._pause_until - now, "rate_limited"
        longest, why = 0.0, ""
        for window in self._windows(route):
            wait, reason = self._window_wait(window, now)
            if wait > longest:
                longest, why = wait, reason
        return longest, why

    def _window_wait(self, w: _Window, now: float) -> tuple[float, str]:
        if w.reset_at is not None and now >= w.reset_at + self._reset_slack and w.limit is not None:
            w.remaining, w.reset_at, w.stale = w.limit, None, True
            self._rolled_at = now
        if w.stale:
            return (PROBE_POLL_S, "probe") if self._in_flight > 0 else (0.0, "")
        if w.limit is None:
            return 0.0, ""
        available = w.remaining - w.reserve
        if available <= 0:
            if w.reset_at is None:
                w.reset_at = now + self._default_window
            return max(w.reset_at + self._reset_slack - now, PROBE_POLL_S), f"budget ({w.name})"
        usable = (w.limit or w.remaining) - w.reserve
        tail = max(1, int(usable * self._tail_fraction)) if self._tail_fraction > 0 else 0
        if w.reset_at is not None and available <= tail:
            interval = (w.reset_at - now) / (available + 1)
            due = self._last_send + interval
            if due > now:
                return due - now, f"spacing ({w.name})"
        return 0.0, ""

    # -- after a request --------------------------------------------------------------------------
    def release(self, route: str = "", headers: httpx.Headers | None = None) -> None:
        """Record that a request ended, learning from its answer's headers if there was one."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is not None:  # requests still in flight may not be counted in these headers
                self._observe(route, headers, self._clock())

    def pause(self, seconds: float) -> None:
        """After a 429: every worker waits until the same instant, then one probe goes first."""
        with self._lock:
            now = self._clock()
            if now - self._rolled_at < 1.5:
                # The window had just been taken as reset: the server's reset arrives a little later.
                self._reset_slack = min(1.0, self._reset_slack + RESET_ROUNDING)
            self._pause_until = max(self._pause_until, now + seconds)
            self._account.stale = True
            if self._account.limit is not None:
                self._account.remaining = self._account.limit
                self._account.reset_at = None

    def _observe(self, route: str, headers: httpx.Headers, now: float) -> None:
        remaining = _int_header(headers, "ratelimit-remaining", "x-rate-limit-remaining")
        if remaining is not None:
            limit = _int_header(headers, "ratelimit-limit", "x-rate-limit")
            reset = header_seconds(headers, "ratelimit-reset")
            self._update(self._account, limit, remaining, reset, now)
        elif self._account.limit is None:
            self._account.stale = False  # the server sends no budget: do not pace
        names = []
        for key, value in headers.multi_items():
            lower = key.lower()
            if lower.startswith("zendesk-ratelimit-"):
                total, left, resets = parse_bucket(value)
                if left is None:
                    continue
                name = lower.removeprefix("zendesk-ratelimit-")
                window = self._buckets.setdefault(name, _Window(name))
                self._update(window, total, left, resets, now)
                names.append(name)
        if names and route:
            self._routes[route] = tuple(sorted(set(names) | set(self._routes.get(route, ()))))

    def _update(self, w: _Window, limit: int | None, remaining: int, reset: float | None, now: float) -> None:
        if limit:
            w.limit = limit
        elif w.limit is None or remaining > w.limit:
            w.limit = remaining
        assert w.limit is not None
        w.reserve = w.limit - math.floor(w.limit * self.share + 1e-9)
        # The header counts whole seconds, so the window resets at the latest half a second after
        # `now + reset`. Each answer bounds the reset from above; the tightest bound (the minimum over
        # the window's answers) is when the next window has surely begun.
        new_reset = now + reset + rounding_margin(reset) if reset is not None else None
        new_window = (
            w.stale
            or w.reset_at is None
            or now >= w.reset_at
            or (new_reset is not None and new_reset > w.reset_at + 2 * RESET_ROUNDING)
            or (new_reset is None and remaining > w.remaining)
        )
        floor = remaining - self._in_flight
        if new_window:
            w.remaining = floor
            w.server_low = remaining
            w.reset_at = new_reset if new_reset is not None else now + self._default_window
        elif w.server_low is None or remaining <= w.server_low:
            # The freshest count in this window (answers to concurrent requests can arrive out of order,
            # and an older, higher count must not give back budget). Our own count is right unless
            # another consumer spent budget too.
            w.server_low = remaining
            if not floor <= w.remaining <= remaining:
                w.remaining = floor
            if new_reset is not None and w.reset_at is not None:
                w.reset_at = min(w.reset_at, new_reset)
        w.stale = False

    # -- introspection ----------------------------------------------------------------------------
    @property
    def remaining(self) -> int | None:
        """The account budget left in this window, as last reported (None before the first answer)."""
        with self._lock:
            return None if self._account.limit is None else self._account.remaining

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight


__all__ = ["ClientEvent", "Pacer", "parse_bucket"]
