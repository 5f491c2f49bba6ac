"""One answer may take at most the configured timeout to arrive in full, however it trickles.

httpx's read timeout is per read: a server (or proxy) sending one byte every half second never trips it,
and a run would wait for ever (security re-test 2026-12-04 L1). The client's `response` hook wraps each
answer's body so that reading it stops with `httpx.ReadTimeout` once `ZENDESK_TIMEOUT` has passed since its
headers arrived; the request loop then treats it as any lost answer (retried when safe, else reported).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx


class TimedBody(httpx.SyncByteStream):
    """An answer's body that must be read in full before `ends_at` (the monotonic clock)."""

    def __init__(self, inner: httpx.SyncByteStream, ends_at: float, limit: float, request: httpx.Request):
        self.inner, self.ends_at, self.limit, self.request = inner, ends_at, limit, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            if time.monotonic() > self.ends_at:
                self.close()
                raise httpx.ReadTimeout(
                    f"the answer was still arriving after {self.limit:g} s (ZENDESK_TIMEOUT): cut off",
                    request=self.request,
                )
            yield chunk

    def close(self) -> None:
        self.inner.close()


def limit_answer_time(limit: float) -> Callable[[httpx.Response], None]:
    """An httpx `response` event hook: the answer's body must arrive within `limit` seconds."""

    def hook(response: httpx.Response) -> None:
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = TimedBody(response.stream, time.monotonic() + limit, limit, response.request)

    return hook
