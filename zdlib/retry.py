"""Retry decisions as a small policy object: which answers and errors, which methods, how long to wait."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

#: Methods Zendesk treats as idempotent: sending them twice has the same effect as once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: Server errors worth a retry for idempotent methods.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: Errors raised before a single byte of the request left this machine: safe to retry even for POST.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Errors worth a retry for idempotent methods.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None if absent or unreadable.

    Accepts an integer (``30``), a float (``1.5``), a list (``50, 53``: the largest wins) and an HTTP
    date (relative to ``now``, a Unix time; default the wall clock). Never raises.
    """
    if value is None or not value.strip():
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    numbers: list[float] = []
    for part in parts:
        try:
            numbers.append(float(part))
        except ValueError:
            break
    else:
        finite = [n for n in numbers if math.isfinite(n) and n >= 0]
        return max(finite) if finite else None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    reference = time.time() if now is None else now
    return max(0.0, when.timestamp() - reference)


def header_seconds(headers: httpx.Headers, name: str) -> float | None:
    """A header holding a number of seconds, or None."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw.split(",")[0])
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def response_date(headers: httpx.Headers) -> float | None:
    """The server's ``Date`` header as a Unix time (so HTTP-date ``Retry-After`` ignores clock skew)."""
    raw = headers.get("date")
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


#: What a request came back with: Zendesk's answer, or the transport error that stood in for one.
Answer = httpx.Response | Exception


@dataclass(frozen=True)
class Decision:
    """What to do after one answer: ``retry`` or not, how long to ``wait`` first, and ``reason`` (why).

    ``rate_limited`` marks a 429: every worker sharing the pacer pauses, not only this one.
    """

    retry: bool
    wait: float = 0.0
    reason: str = ""
    rate_limited: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry and how long to wait.

    - 429: always retried (Zendesk did not process the request, so even a POST is safe), waiting
      ``Retry-After``, else ``ratelimit-reset``, else capped exponential backoff with jitter.
    - 500/502/503/504 and network errors: retried for idempotent methods only (GET, HEAD, PUT, DELETE).
    - POST: also retried when the connection failed before anything was sent; never on 5xx or a read
      error, because Zendesk may have created the record. A create is made safe by a lookup instead.
    """

    max_attempts: int = 5
    max_rate_limited: int = 10
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    reset_margin: float = 0.1

    def decide(
        self,
        method: str,
        attempt: int,
        answer: Answer,
        *,
        rate_limited: int = 0,
        rand: Callable[[], float] = random.random,
    ) -> Decision:
        """The decision after ``attempt`` (1 for the first send) of ``method`` came back with ``answer``.

        ``rate_limited`` is how many 429s came before this answer. The deadline is the caller's to apply.
        """
        if isinstance(answer, Exception):
            name = type(answer).__name__
            if self.retries_error(method, answer, attempt):
                return Decision(True, self.backoff(attempt, rand), name)
            return Decision(False, reason=f"{name}: {self._why_not_error(method, answer, attempt)}")
        status = answer.status_code
        if status < 300:
            return Decision(False, reason=f"{status}: success")
        if status == 429:
            wait = self.rate_limit_wait(answer, rate_limited + 1, rand)
            if self.retries_status(method, 429, attempt, rate_limited):
                return Decision(True, wait, "rate limited", rate_limited=True)
            return Decision(False, wait, f"429: {self.max_rate_limited} rate-limited answers", True)
        if self.retries_status(method, status, attempt, rate_limited):
            return Decision(True, self.rate_limit_wait(answer, attempt, rand), str(status))
        return Decision(False, reason=f"{status}: {self._why_not_status(method, status)}")

    def _why_not_status(self, method: str, status: int) -> str:
        if status not in RETRY_STATUSES:
            return "not a temporary failure"
        if method not in IDEMPOTENT_METHODS:
            return f"{method} is not idempotent (Zendesk may have processed it)"
        return f"{self.max_attempts} attempts"

    def _why_not_error(self, method: str, error: Exception, attempt: int) -> str:
        if _is_tls_failure(error):
            return "TLS verification failed"
        if attempt >= self.max_attempts:
            return f"{self.max_attempts} attempts"
        return f"{method} may have been received" if isinstance(error, TRANSIENT_ERRORS) else "not transient"

    def retries_status(self, method: str, status: int, attempt: int, rate_limited: int) -> bool:
        if status == 429:
            return rate_limited < self.max_rate_limited
        return status in RETRY_STATUSES and method in IDEMPOTENT_METHODS and attempt < self.max_attempts

    def retries_error(self, method: str, error: Exception, attempt: int) -> bool:
        if attempt >= self.max_attempts or _is_tls_failure(error):
            return False
        if method in IDEMPOTENT_METHODS:
            return isinstance(error, TRANSIENT_ERRORS)
        return isinstance(error, NOT_SENT_ERRORS)

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Capped exponential backoff with jitter: between half and all of ``base * 2**(attempt-1)``."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempt - 1))
        return ceiling * (0.5 + 0.5 * rand())

    def rate_limit_wait(
        self, response: httpx.Response, attempt: int, rand: Callable[[], float] = random.random
    ) -> float:
        """How long to wait after a 429 (or a 503 with ``Retry-After``)."""
        headers = response.headers
        wait = parse_retry_after(headers.get("retry-after"), now=response_date(headers))
        if wait is None and response.status_code == 429:
            reset = header_seconds(headers, "ratelimit-reset")
            if reset is not None:
                wait = reset + self.reset_margin
        if wait is None:
            wait = self.backoff(attempt, rand)
        elif response.status_code == 429 and wait < self.backoff_base:
            # "Retry-After: 0" from a server that rounds down still means "not yet": back off a little.
            wait = max(wait, self.backoff(attempt, rand))
        return wait


def _is_tls_failure(error: Exception) -> bool:
    text = str(error)
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text


__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "Answer", "Decision", "RetryPolicy", "parse_retry_after"]
