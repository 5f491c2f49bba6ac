"""A small fault proxy on loopback in front of the sandbox, for tests that need a misbehaving server.

    with FaultProxy(sandbox.url) as proxy:
        proxy.echo_headers("GET", "/api/v2/automations/")    # answer 400 quoting the request headers
        proxy.echo_body("POST", "/oauth/tokens")             # answer 400 quoting the request body
        proxy.drop_answer("POST", "/api/v2/automations")     # forward, then close without answering
        release = proxy.hold("PUT", "/api/v2/automations/")  # keep the request until release.set()
        env = proxy.env(sandbox.env)                         # the sandbox's env with ZENDESK_URL = proxy

Every request passes through unchanged unless a rule matches (a path prefix and a method, for a number
of times). The proxy remembers what it saw (`seen`, `authorizations`, `answers`), so a test knows the
secrets a run obtained (a client-credentials token, a new client secret) and can assert their absence.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


class Fault(StrEnum):
    ECHO_HEADERS = "echo headers"
    ECHO_BODY = "echo body"
    DROP_ANSWER = "drop answer"
    HOLD = "hold"


@dataclass
class Rule:
    fault: Fault
    method: str
    path_prefix: str
    times: int | None = 1  # None: every matching request
    status: int = 400
    release: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.times is None or self.times > 0)
            and method == self.method
            and path.startswith(self.path_prefix)
        )


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    fault: Fault | None
    status: int | None  # None: no answer was sent


class FaultProxy:
    """A threaded HTTP/1.1 proxy to `upstream` (the sandbox's URL) with scripted faults."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self.authorizations: list[str] = []  # every Authorization header value that passed
        self.answers: list[tuple[str, str, Any]] = []  # (method, path, decoded JSON) of upstream answers
        self._lock = threading.Lock()
        self._http = httpx.Client(base_url=self.upstream, timeout=60, trust_env=False)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting ----------------------------------------------------------------------------------
    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def echo_headers(
        self, method: str, path_prefix: str, *, status: int = 400, times: int | None = 1
    ) -> None:
        """Answer with an error whose description quotes every request header (Authorization too)."""
        self._add(Rule(Fault.ECHO_HEADERS, method, path_prefix, times, status))

    def echo_body(self, method: str, path_prefix: str, *, status: int = 400, times: int | None = 1) -> None:
        """Answer with an error whose description quotes the request body."""
        self._add(Rule(Fault.ECHO_BODY, method, path_prefix, times, status))

    def drop_answer(self, method: str, path_prefix: str, *, times: int | None = 1) -> None:
        """Forward the request (the server acts on it), then close the connection without an answer."""
        self._add(Rule(Fault.DROP_ANSWER, method, path_prefix, times))

    def hold(self, method: str, path_prefix: str, *, times: int | None = 1) -> threading.Event:
        """Keep matching requests until the returned event is set (then forward them)."""
        return self._add(Rule(Fault.HOLD, method, path_prefix, times)).release

    def clear(self) -> None:
        with self._lock:
            for rule in self.rules:
                rule.release.set()
            self.rules.clear()

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` with the instance URL pointing at this proxy."""
        return {**env, "ZENDESK_URL": self.url}

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.clear()
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the proxy ----------------------------------------------------------------------------------
    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                method, path = self.command, self.path
                authorization = self.headers.get("authorization")
                if authorization:
                    with proxy._lock:
                        proxy.authorizations.append(authorization)
                rule = proxy._take_rule(method, path.split("?", 1)[0])
                fault = rule.fault if rule else None
                if rule and rule.fault in (Fault.ECHO_HEADERS, Fault.ECHO_BODY):
                    quoted = (
                        "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                        if rule.fault is Fault.ECHO_HEADERS
                        else body.decode("utf-8", errors="replace")
                    )
                    payload = {
                        "error": "InvalidValue",
                        "description": f"Could not process the request: {quoted}",
                    }
                    self._answer(
                        rule.status, {"content-type": "application/json"}, json.dumps(payload).encode()
                    )
                    proxy._record(Seen(method, path, fault, rule.status))
                    return
                if rule and rule.fault is Fault.HOLD:
                    rule.release.wait(60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                answer = proxy._http.request(method, path, headers=headers, content=body)
                if "json" in answer.headers.get("content-type", "") and answer.content:
                    try:
                        with proxy._lock:
                            proxy.answers.append((method, path, answer.json()))
                    except ValueError:
                        pass
                if rule and rule.fault is Fault.DROP_ANSWER:
                    proxy._record(Seen(method, path, fault, None))
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                self._answer(answer.status_code, out, answer.content)
                proxy._record(Seen(method, path, fault, answer.status_code))

            def _answer(self, status: int, headers: dict[str, str], content: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        return Handler
