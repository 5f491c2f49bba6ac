"""The sandbox proves it is the sandbox, and its control API answers only whoever holds its key.

At each start the sandbox makes a random key (`SandboxState.key`), which its env carries as
`ZDLIB_SANDBOX_KEY`. `GET /sandbox/identity?challenge=NONCE` answers `{"proof": HMAC-SHA256(key, NONCE)}`,
so a runbook treats an instance as the sandbox only when the answer matches the key it holds: a loopback
URL alone proves nothing (a tunnel or proxy to a real instance is loopback too; security re-test
2026-12-04 M5). Every other `/sandbox/...` path (reset, clock, faults, credentials, Admin Center, the GitLab
look-alike's control) needs the key in `X-Sandbox-Key`, and a browser's cross-origin request is refused
(a web page in the lab's browser could otherwise reset or fault the sandbox, or read its credentials: L7).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

KEY_VARIABLE = "ZDLIB_SANDBOX_KEY"
KEY_HEADER = "x-sandbox-key"
IDENTITY_PATH = "/sandbox/identity"
CONTROL_PREFIX = "/sandbox/"
MAX_CHALLENGE = 256


def proof(key: str, challenge: str) -> str:
    """HMAC-SHA256 of the challenge under the key (hex)."""
    return hmac.new(key.encode(), challenge.encode(), hashlib.sha256).hexdigest()


class ControlGuard:
    """In front of the whole app: answers the identity challenge, and lets `/sandbox/...` through only
    with the key and never from another origin; the Zendesk API and GitLab's pass as they are."""

    def __init__(self, inner: ASGIApp, state: Any) -> None:
        self.inner = inner
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(CONTROL_PREFIX):
            await self.inner(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if _cross_origin(headers, scope):
            await _answer(
                send, 403, {"error": "Forbidden", "description": "cross-origin requests are refused"}
            )
        elif path == IDENTITY_PATH:
            await self._identity(scope, send)
        elif not hmac.compare_digest(headers.get(KEY_HEADER, "").encode(), self.state.key.encode()):
            await _answer(
                send, 401, {"error": "Unauthorized", "description": f"send {KEY_VARIABLE} as X-Sandbox-Key"}
            )
        else:
            await self.inner(scope, receive, send)

    async def _identity(self, scope: Scope, send: Send) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        challenge = params.get("challenge", "")
        if not challenge or len(challenge) > MAX_CHALLENGE:
            await _answer(send, 400, {"error": "InvalidChallenge", "description": "give ?challenge=<nonce>"})
            return
        await _answer(send, 200, {"proof": proof(self.state.key, challenge)})


def _cross_origin(headers: dict[str, str], scope: Scope) -> bool:
    """A browser's request from another page: `Sec-Fetch-Site` says so, or `Origin` is not this server."""
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-origin request (curl, httpx, the runner)
    scheme = scope.get("scheme", "http")
    return origin.rstrip("/").lower() != f"{scheme}://{headers.get('host', '')}".lower()


async def _answer(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
