"""The pure-ASGI layer in front of every route: `.json` suffix, counters, request ids, rate limits, faults.

Control routes (`/sandbox/...`) pass straight through: not counted, not limited, never faulted.
"""

from __future__ import annotations

import asyncio
from email.utils import format_datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zdlib.sandbox.errors import JSON_TYPE
from zdlib.sandbox.faults import render_retry_after
from zdlib.sandbox.ratelimit import retry_after_seconds
from zdlib.sandbox.state import SandboxState

CONTROL_PREFIX = "/sandbox"
RATE_LIMIT_TEXT = b"Number of allowed API requests per minute exceeded"
SERVER_ERRORS: dict[int, tuple[bytes, bytes]] = {
    500: (JSON_TYPE.encode(), b'{"error":"InternalServerError"}'),
    502: (b"text/plain; charset=utf-8", b"Bad Gateway"),
    503: (JSON_TYPE.encode(), b'{"error":"ServiceUnavailable"}'),
}
STATIC_HEADERS = [
    (b"x-zendesk-api-version", b"v2"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
]


DROPPED = 0  # the status recorded for a connection closed without an answer


class DroppedConnection(Exception):
    """Raised when the server cannot close the socket itself (not running under uvicorn)."""


def drop_connection(send: Send) -> None:
    """Close the client's socket without an answer (uvicorn: abort the cycle's transport)."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise DroppedConnection
    transport.abort()
    cycle.disconnected = True  # tells uvicorn not to answer with its own 500


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        scope = dict(scope)
        scope["zd.original_path"] = path
        if path.endswith(".json"):
            path = scope["path"] = path[: -len(".json")]
        if path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        await self._api_call(scope, receive, send, path)

    async def _api_call(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        state = self.state
        stats = state.stats
        stats.started(scope["method"], path)
        status: int | None = None
        try:
            faults = state.faults
            settings = faults.settings
            if faults.should_drop():
                status = DROPPED
                drop_connection(send)
                return
            if settings.latency_ms > 0:
                await asyncio.sleep(settings.latency_ms / 1000)
            allowed, remaining, reset = state.limiter.hit()
            request_id = state.next_request_id().encode()
            headers = [
                (b"x-rate-limit", str(state.limiter.limit).encode()),
                (b"x-rate-limit-remaining", str(remaining).encode()),
                (b"ratelimit-limit", str(state.limiter.limit).encode()),
                (b"ratelimit-remaining", str(remaining).encode()),
                (b"ratelimit-reset", str(max(1, round(reset))).encode()),
                (b"x-zendesk-request-id", request_id),
                (b"x-request-id", request_id),
                (b"date", format_datetime(state.clock.now(), usegmt=True).encode()),
                *STATIC_HEADERS,
            ]
            if not allowed:
                status = 429
                await _too_many(send, headers, retry_after_seconds(reset))
                return
            if faults.burst_429():
                status = 429
                await _too_many(send, headers, render_retry_after(settings.burst_retry_after))
                return
            code = faults.server_error()
            if code is not None:
                status = code
                content_type, body = SERVER_ERRORS.get(code, SERVER_ERRORS[500])
                retry = render_retry_after(settings.fail_retry_after) if code == 503 else None
                await _plain(send, code, headers, content_type, body, retry)
                return

            async def send_with_headers(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message = dict(message)
                    message["headers"] = list(message.get("headers", [])) + headers
                await send(message)

            await self.app(scope, receive, send_with_headers)
        finally:
            stats.finished(status)


async def _too_many(send: Send, headers: list, retry_after: str | None) -> None:
    """Zendesk's account-limit 429: plain text, with the given `Retry-After` (or none)."""
    await _plain(send, 429, headers, b"text/plain; charset=utf-8", RATE_LIMIT_TEXT, retry_after)


async def _plain(
    send: Send,
    status: int,
    headers: list[tuple[bytes, bytes]],
    content_type: bytes,
    body: bytes,
    retry_after: str | None,
) -> None:
    extra = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        extra.append((b"retry-after", retry_after.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})
