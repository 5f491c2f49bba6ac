"""The sandbox as a referee: cursor pages of `GET /api/v2/users` a second, every page uncached.

One client, one connection, pages walked in order from the start of a large account: each page holds
users the sandbox has not rendered before (it keeps no rendered generated users, and never sees a page
twice). Every page is read whole and decoded with `json.loads`: its users counted, its `meta` checked.

The client must not be the bottleneck. Decoding a page of 100 users (about 83 KB) costs the client about
0.5 ms, and httpx adds about 0.7 ms more (about 1.45 ms a page against a server that answers instantly,
i.e. at most about 690 pages/s whatever the sandbox does). So the probe uses the standard library's
`http.client` and asks for page N + 1 as soon as it has page N's cursor (cut from the body's tail, the
`meta` and `links` objects, decoded on their own) and only then decodes page N in full, while the sandbox
renders page N + 1: the walk stays strictly sequential (one request in flight, each cursor taken from the
page before), but the client's decoding overlaps the server's work. The full decode must agree with the
tail's `meta`, or the probe fails. `client_cpu_ms_per_page` is the client's own CPU per page and
`sandbox_cpu_ms_per_page` the sandbox process's (psutil): the sandbox alone could serve about
1000 / sandbox_cpu_ms_per_page pages a second.

`serial_httpx` continues the same walk (more new pages) the old way, httpx and `.json()` before the next
request, for comparison with the figures measured before this probe changed.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import psutil

from bench.sandbox_process import SandboxProcess

PAGE_SIZE = 100
META_MARK = b'],"meta":'


def pages_per_second(users: int, pages: int, serial_pages: int = 0) -> dict[str, Any]:
    """Walk `pages` cursor pages of 100 on a fresh sandbox of `users` users; the rate and the wall time.

    With `serial_pages`, then walk that many further pages with httpx, decoding each before the next.
    Every page is a full page of new users: `pages + serial_pages` at most `users / 100`."""
    if pages < 1 or (pages + serial_pages) * PAGE_SIZE > users:
        raise ValueError(f"{pages} + {serial_pages} pages of {PAGE_SIZE} do not fit in {users:,} users")
    with SandboxProcess(users=users, rate_limit=1_000_000) as box:
        env = box.client_env()
        sandbox = psutil.Process(box.pid)
        result, cursor = _pipelined_walk(env, pages, sandbox)
        if serial_pages:
            result["serial_httpx"] = _serial_httpx_walk(env, serial_pages, cursor)
    return result


def _pipelined_walk(env: dict[str, str], pages: int, sandbox: psutil.Process) -> tuple[dict[str, Any], str]:
    url = urlsplit(env["ZENDESK_URL"])
    if url.scheme != "http":
        raise ValueError(f"the probe speaks plain HTTP to a local sandbox, not {url.scheme}")
    login = f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(login).decode(), "Accept": "application/json"}
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def ask(cursor: str | None) -> None:
        params: dict[str, Any] = {"page[size]": PAGE_SIZE}
        if cursor is not None:
            params["page[after]"] = cursor
        connection.request("GET", f"{url.path}/api/v2/users?{urlencode(params)}", headers=headers)

    def answer() -> bytes:
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET /api/v2/users answered {response.status}: {body[:200]!r}")
        return body

    def tail_meta(body: bytes) -> dict[str, Any]:
        """The page's `meta`, from the objects after the users' array (decoded on their own)."""
        return json.loads(b"{" + body[body.rindex(META_MARK) + 2 :])["meta"]

    ask(None)  # the connection and first-call costs aside
    answer()
    ask(None)
    started, cpu_started, seen = time.perf_counter(), time.process_time(), 0
    sandbox_started = _cpu(sandbox)
    body = answer()
    for done in range(1, pages + 1):
        meta = tail_meta(body)
        if done < pages:
            ask(meta["after_cursor"])  # the sandbox renders the next page while this one is decoded
        page = json.loads(body)
        if page["meta"] != meta or len(page["users"]) != PAGE_SIZE or not (meta["has_more"] or done == pages):
            raise RuntimeError(f"page {done} is not a full page with a next one: {page['meta']}")
        seen += len(page["users"])
        if done < pages:
            body = answer()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sandbox_cpu = _cpu(sandbox) - sandbox_started
    connection.close()
    result = {
        "pages": pages,
        "users_read": seen,
        "wall_s": round(wall, 3),
        "pages_per_s": round(pages / wall),
        "client_cpu_ms_per_page": round(cpu / pages * 1000, 3),
        "sandbox_cpu_ms_per_page": round(sandbox_cpu / pages * 1000, 3),
    }
    return result, meta["after_cursor"]


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _serial_httpx_walk(env: dict[str, str], pages: int, cursor: str) -> dict[str, Any]:
    """The probe as it was: httpx, each page decoded before the next is asked for."""
    auth = (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
    url = f"{env['ZENDESK_URL']}/api/v2/users"
    params: dict[str, Any] = {"page[size]": PAGE_SIZE, "page[after]": cursor}
    with httpx.Client(auth=auth, timeout=30) as http:
        http.get(url, params={"page[size]": 1}).raise_for_status()  # connection and first-call costs aside
        started, seen = time.perf_counter(), 0
        for _ in range(pages):
            body = http.get(url, params=params).raise_for_status().json()
            seen += len(body["users"])
            params = {"page[size]": PAGE_SIZE, "page[after]": body["meta"]["after_cursor"]}
        wall = time.perf_counter() - started
    return {"pages": pages, "users_read": seen, "wall_s": round(wall, 3), "pages_per_s": round(pages / wall)}
