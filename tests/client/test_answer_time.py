"""A server that trickles its answer is cut off at ZENDESK_TIMEOUT (issue 19; security re-test 2026-12-04 L1).

Over real HTTP on loopback: the server sends its headers, then one byte every 0.2 s of a 1,000-byte body
(200 s in all); httpx's per-read timeout never trips on that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zdlib import Client, NetworkError, load_settings
from zdlib.errors import DeadlineExceeded

BODY_BYTES = 1000


class Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(BODY_BYTES))
        self.end_headers()
        try:
            for _ in range(BODY_BYTES):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def trickling() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.requests = 0  # type: ignore[attr-defined]
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_trickling_answer_is_cut_off_at_the_timeout(trickling) -> None:
    url = f"http://127.0.0.1:{trickling.server_address[1]}"
    env = {
        "ZENDESK_URL": url,
        "ZENDESK_OAUTH_TOKEN": "t" * 40,
        "ZENDESK_TIMEOUT": "1",
        "ZENDESK_DEADLINE": "6",
    }
    started = time.monotonic()
    with (
        Client(load_settings(environ=env)) as client,
        pytest.raises((NetworkError, DeadlineExceeded)) as caught,
    ):
        client.automations.get(12345)
    spent = time.monotonic() - started
    assert spent < 30, spent  # the body alone would take 200 s: each answer was cut off at about 1 s
    assert trickling.requests >= 1
    assert "ZENDESK_TIMEOUT" in str(caught.value) or "deadline" in str(caught.value).lower()
