"""One sandbox instance's mutable state: clock, store, limits, faults and counters."""

from __future__ import annotations

import itertools
import secrets as _secrets

from zdlib.sandbox.clock import Clock
from zdlib.sandbox.faults import FaultInjector, FaultSettings
from zdlib.sandbox.options import Options
from zdlib.sandbox.ratelimit import Buckets, FixedWindow
from zdlib.sandbox.stats import Stats
from zdlib.sandbox.store import Store


class SandboxState:
    """Shared by the middleware and every handler (lives on `app.state.sandbox`)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.base_url: str | None = None  # set by the server once the port is known
        self.ca_file: str | None = None
        self._request_ids = itertools.count(1)
        self._request_prefix = _secrets.token_hex(4)
        self.key = _secrets.token_urlsafe(32)  # made anew at each start: the sandbox's proof of identity
        self.reset()

    def reset(self) -> None:
        """Back to the seeded account, a fresh window, no faults beyond the start options, zero counters."""
        opts = self.options
        self.clock = Clock(opts.as_of)
        self.store = Store(opts.seed, opts.users, opts.automations, self.clock)
        self.limiter = FixedWindow(opts.limit, opts.window)
        self.buckets = Buckets(opts.window)
        settings = FaultSettings(latency_ms=opts.latency_ms, fail_rate=opts.fail_rate)
        settings.update(dict(opts.faults))
        self.faults = FaultInjector(settings, opts.seed)
        self.stats = Stats()

    def next_request_id(self) -> str:
        return f"{self._request_prefix}-{next(self._request_ids):08d}"
