"""The sandbox as a referee: cursor pages of `GET /api/v2/users` a second, every page uncached.

One client, one connection, pages walked in order from the start of a large account: each page holds
users the sandbox has not rendered before (its rendered-user cache is bounded far below the pages read).
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.sandbox_process import SandboxProcess


def pages_per_second(users: int, pages: int) -> dict[str, Any]:
    """Walk `pages` cursor pages of 100 on a fresh sandbox of `users` users; the rate and the wall time."""
    with SandboxProcess(users=users, rate_limit=1_000_000) as box:
        env = box.client_env()
        auth = (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
        url = f"{env['ZENDESK_URL']}/api/v2/users"
        params: dict[str, Any] = {"page[size]": 100}
        with httpx.Client(auth=auth, timeout=30) as http:
            http.get(url, params=params).raise_for_status()  # connection and first-call costs aside
            started, seen = time.perf_counter(), 0
            for _ in range(pages):
                body = http.get(url, params=params).raise_for_status().json()
                seen += len(body["users"])
                params = {"page[size]": 100, "page[after]": body["meta"]["after_cursor"]}
            wall = time.perf_counter() - started
    return {"pages": pages, "users_read": seen, "wall_s": round(wall, 3), "pages_per_s": round(pages / wall)}
