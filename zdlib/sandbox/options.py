"""The sandbox's start options, shared by the command line and the in-process server."""

from __future__ import annotations

from dataclasses import dataclass, field

PLAN_LIMITS: dict[str, int] = {
    "team": 200,
    "growth": 400,
    "professional": 400,
    "enterprise": 700,
    "enterprise_plus": 2500,
}


@dataclass
class Options:
    """Everything that shapes one sandbox instance (see `zdlib sandbox --help`)."""

    host: str = "127.0.0.1"
    port: int = 0
    plan: str = "enterprise"
    rate_limit: int | None = None  # overrides the plan's limit
    window: float = 60.0  # seconds of the fixed rate-limit window
    users: int = 2000
    automations: int = 8  # the fixed seeded ones; more are generated up to N
    seed: int = 1
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    as_of: str | None = None  # ISO date or datetime; None = the real current time
    tls: bool = False
    env_file: str | None = None
    faults: dict = field(default_factory=dict)  # extra fault settings (see faults.FaultSettings)
    api_token_writes: bool = False  # serve the invented POST/PUT/DELETE /api/v2/api_tokens (api_tokens.py)

    def __post_init__(self) -> None:
        if self.plan not in PLAN_LIMITS:
            raise ValueError(f"unknown plan {self.plan!r}; choose one of {', '.join(PLAN_LIMITS)}")
        if not 1 <= self.users <= 1_000_000:
            raise ValueError("users must be between 1 and 1,000,000")
        if self.window <= 0:
            raise ValueError("window must be positive")

    @property
    def limit(self) -> int:
        """Requests allowed per window for the whole account."""
        return self.rate_limit if self.rate_limit is not None else PLAN_LIMITS[self.plan]
