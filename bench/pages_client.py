"""What the pages probe's client costs on its own: httpx against a server that answers at once.

A canned asyncio server in another process answers every request with the same page (a real page of
100 users rendered by the sandbox's code, about 83 KB); the client walks it as `bench/pages.py` used to
(httpx, `.json()` before the next request). Its rate is the ceiling any sandbox could show through that
client. `python -m bench.pages_client` prints microseconds a page: httpx with and without `.json()`, and
`json.loads` alone.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from zdlib.sandbox.users import UserDirectory


def _page() -> bytes:
    directory = UserDirectory(1, 1_000_000, datetime(2026, 11, 28, tzinfo=UTC))
    ids = list(range(1_500_000, 1_500_100))
    cursor = "eyJvIjoiaWQiLCJ2IjoxNTAwMDk5fQ=="
    meta = {"has_more": True, "after_cursor": cursor, "before_cursor": cursor}
    tail = json.dumps({"meta": meta, "links": {"next": None, "prev": None}}, separators=(",", ":"))
    return b'{"users":[' + directory.json_array_of(ids, "http://127.0.0.1:1") + b"]," + tail[1:].encode()


def _serve(ports: Any, body: bytes) -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: %d\r\n\r\n"
    answer = head % len(body) + body

    class Canned(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                self.transport.write(answer)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Canned, "127.0.0.1", 0)
        ports.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def client_cost(pages: int = 3000) -> dict[str, float]:
    """Microseconds a page for the old probe's client alone."""
    body = _page()
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports, body), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{ports.get(timeout=30)}/api/v2/users"
        with httpx.Client(auth=("someone@example.com/token", "x"), timeout=30) as http:
            params: dict[str, Any] = {"page[size]": 100}
            http.get(url, params=params)
            started = time.perf_counter()
            for _ in range(pages):
                page = http.get(url, params=params).raise_for_status().json()
                params = {"page[size]": 100, "page[after]": page["meta"]["after_cursor"]}
            with_json = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(pages):
                http.get(url, params=params).raise_for_status()
            without_json = time.perf_counter() - started
    finally:
        server.terminate()
    started = time.perf_counter()
    for _ in range(pages):
        json.loads(body)
    decode = time.perf_counter() - started
    return {
        "page_bytes": len(body),
        "httpx_and_json_us": round(with_json / pages * 1e6),
        "httpx_only_us": round(without_json / pages * 1e6),
        "json_loads_us": round(decode / pages * 1e6),
        "ceiling_pages_per_s": round(pages / with_json),
    }


if __name__ == "__main__":
    print(client_cost())
