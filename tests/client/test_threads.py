from __future__ import annotations

import threading
import time

import httpx

from tests.client.conftest import env_for, make_client
from tests.client.fakes import WindowedServer
from zdlib import Client, load_settings


def test_sixteen_threads_share_one_client_over_a_paced_server() -> None:
    """Real clock, 60 requests per 0.25 s: every item fetched exactly once and 429s stay rare."""
    seen: dict[int, int] = {}
    lock = threading.Lock()

    def body(request: httpx.Request) -> dict:
        item = int(request.url.path.rsplit("/", 1)[1])
        with lock:
            seen[item] = seen.get(item, 0) + 1
        return {"user": {"id": item}}

    server = WindowedServer(time.monotonic, 60, 0.25, body=body, reset_rounding=lambda s: round(s, 3))
    client = Client(load_settings(environ=env_for("oauth")), transport=httpx.MockTransport(server))
    items = list(range(480))
    results: dict[int, dict] = {}

    def worker(chunk: list[int]) -> None:
        for item in chunk:
            results[item] = client.users.get(item)

    threads = [threading.Thread(target=worker, args=(items[i::16],)) for i in range(16)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert sorted(results) == items and all(results[i]["id"] == i for i in items)
    assert server.too_many <= 8, server.too_many
    assert set(seen) == set(items)
    assert client.stats.requests == server.requests
    assert elapsed < 20  # floor 2 s; generous for a loaded CI machine (efficiency: test_ratelimit)


def test_bulk_over_the_shared_pacer_reports_every_item() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        item = int(request.url.path.rsplit("/", 1)[1])
        if item % 7 == 0:
            return httpx.Response(404, json={"error": "RecordNotFound", "description": "Not found"})
        return httpx.Response(200, json={"automation": {"id": item, "active": False}})

    client = make_client(handler)
    results = client.bulk(client.automations.deactivate, range(1, 50), concurrency=6)
    assert [r.item for r in results] == list(range(1, 50))
    failed = [r.item for r in results if not r.ok]
    assert failed == [7, 14, 21, 28, 35, 42, 49]
    assert all(r.value == {"id": r.item, "active": False} for r in results if r.ok)
    assert all("was not found" in str(r.error) for r in results if not r.ok)
