"""One decision path: RetryPolicy.decide, the grant as an auth flow, Client.with_auth, last_server_date."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import BASE, SECRETS, FakeClock, make_client
from zdlib import BearerAuth, ClientCredentialsAuth, NetworkError, ServerError, ZdlibError
from zdlib.auth import RUN_TOKEN_LABEL
from zdlib.redact import registered_secrets
from zdlib.retry import Decision, RetryPolicy

POLICY = RetryPolicy()
DATE = "Sat, 28 Nov 2026 09:30:00 GMT"
ROOT = Path(__file__).resolve().parents[2] / "zdlib"


def answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", f"{BASE}/api/v2/users/me"))


@pytest.mark.parametrize(
    ("method", "attempt", "given", "rate_limited", "expected"),
    [
        ("GET", 1, answer(200), 0, Decision(False, 0.0, "200: success")),
        ("POST", 1, answer(429, **{"Retry-After": "7"}), 0, Decision(True, 7.0, "rate limited", True)),
        ("GET", 9, answer(429, **{"Retry-After": "7"}), 9, Decision(True, 7.0, "rate limited", True)),
        (
            "GET",
            11,
            answer(429, **{"Retry-After": "7"}),
            10,
            Decision(False, 7.0, "429: 10 rate-limited answers", True),
        ),
        ("GET", 1, answer(503, **{"Retry-After": "3"}), 0, Decision(True, 3.0, "503")),
        ("PUT", 2, answer(500), 0, Decision(True, 1.0, "500")),
        ("GET", 5, answer(500), 0, Decision(False, 0.0, "500: 5 attempts")),
        (
            "POST",
            1,
            answer(503),
            0,
            Decision(False, 0.0, "503: POST is not idempotent (Zendesk may have processed it)"),
        ),
        ("GET", 1, answer(404), 0, Decision(False, 0.0, "404: not a temporary failure")),
        ("POST", 1, httpx.ConnectError("refused"), 0, Decision(True, 0.5, "ConnectError")),
        (
            "POST",
            1,
            httpx.ReadTimeout("slow"),
            0,
            Decision(False, 0.0, "ReadTimeout: POST may have been received"),
        ),
        ("GET", 1, httpx.ReadTimeout("slow"), 0, Decision(True, 0.5, "ReadTimeout")),
        (
            "GET",
            1,
            httpx.ConnectError("certificate verify failed"),
            0,
            Decision(False, 0.0, "ConnectError: TLS verification failed"),
        ),
        ("GET", 5, httpx.ReadTimeout("slow"), 0, Decision(False, 0.0, "ReadTimeout: 5 attempts")),
    ],
)
def test_decide_states_the_whole_rule_set(method, attempt, given, rate_limited, expected) -> None:
    assert POLICY.decide(method, attempt, given, rate_limited=rate_limited, rand=lambda: 1.0) == expected


def test_a_decision_is_frozen_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Decision(True).wait = 3  # type: ignore[misc]


def grant_server(*grant_answers: httpx.Response):
    """Answers the grant with `grant_answers` in turn (then tokens), everything else with the caller."""
    log: list[tuple[str, str, str | None]] = []
    answers = list(grant_answers)

    def handler(request: httpx.Request) -> httpx.Response:
        log.append((request.method, request.url.path, request.headers.get("Authorization")))
        if request.url.path == "/oauth/tokens":
            if answers:
                return answers.pop(0)
            return httpx.Response(200, json={"access_token": "at-granted-123456", "expires_in": 600})
        if request.url.path == "/api/v2/oauth/tokens/current":
            return httpx.Response(200, json={"token": {"id": 5}})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"user": {"id": 1}}, headers={"Date": DATE})

    return handler, log


def test_the_grant_is_a_request_of_the_auth_flow_even_over_plain_httpx() -> None:
    handler, log = grant_server()
    auth = ClientCredentialsAuth("zdlib_ops", SECRETS["client_secret"], expires_in=600)
    with httpx.Client(transport=httpx.MockTransport(handler), base_url=BASE) as http:
        assert http.get("/api/v2/users/me", auth=auth).json() == {"user": {"id": 1}}
        http.get("/api/v2/users/me", auth=auth)
    assert log == [
        ("POST", "/oauth/tokens", None),
        ("GET", "/api/v2/users/me", "Bearer at-granted-123456"),
        ("GET", "/api/v2/users/me", "Bearer at-granted-123456"),
    ]
    # Labelled as the run's own token, so a recovery can revoke what a killed run minted.
    assert registered_secrets().get(f"{RUN_TOKEN_LABEL} zdlib_ops") == "at-granted-123456"


def test_the_clients_minted_token_carries_the_run_token_label() -> None:
    handler, _ = grant_server()
    make_client(handler, kind="client_credentials").users.me()
    assert registered_secrets().get(f"{RUN_TOKEN_LABEL} zdlib_ops") == "at-granted-123456"


def test_a_rate_limited_grant_is_retried_by_the_one_loop() -> None:
    handler, log = grant_server(httpx.Response(429, headers={"Retry-After": "4"}))
    clock = FakeClock()
    events = []
    client = make_client(handler, kind="client_credentials", clock=clock, on_event=events.append)
    assert client.users.me() == {"id": 1}
    assert [p for _, p, _ in log] == ["/oauth/tokens", "/oauth/tokens", "/api/v2/users/me"]
    assert clock.sleeps == [4.0]  # the grant's own wait: the API's pacer is not paused by it
    assert [(e.kind, e.method, e.path, e.status) for e in events[:2]] == [
        ("rate_limited", "POST", "/oauth/tokens", 429),
        ("retry", "POST", "/oauth/tokens", 429),
    ]
    assert client.stats.requests == 3 and client.stats.retries == 1 and client.stats.rate_limited == 1


def test_a_grant_that_fails_on_the_server_is_not_sent_again() -> None:
    handler, log = grant_server(httpx.Response(503, json={"error": "Unavailable"}))
    client = make_client(handler, kind="client_credentials")
    with pytest.raises(ServerError, match="POST /oauth/tokens failed"):
        client.users.me()
    assert [p for _, p, _ in log] == ["/oauth/tokens"]  # a POST: Zendesk may have minted a token


def test_a_grant_whose_connection_failed_is_retried_as_nothing_was_sent() -> None:
    state = {"failed": False}
    handler, log = grant_server()

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens" and not state["failed"]:
            state["failed"] = True
            raise httpx.ConnectError("refused", request=request)
        return handler(request)

    assert make_client(flaky, kind="client_credentials").users.me() == {"id": 1}
    assert state["failed"] and [p for _, p, _ in log] == ["/oauth/tokens", "/api/v2/users/me"]


def test_a_grant_read_timeout_names_the_grant() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(NetworkError, match=r"for POST /oauth/tokens \(ReadTimeout"):
        make_client(handler, kind="client_credentials").users.me()


def test_with_auth_shares_the_pool_the_pacer_and_the_counters() -> None:
    handler, log = grant_server()
    client = make_client(handler, kind="oauth")
    other = client.with_auth(BearerAuth("oauth-other-token-1234"))
    assert other._http is client._http and other._pacer is client._pacer
    assert other.users.me() == {"id": 1} and client.users.me() == {"id": 1}
    assert [a for _, _, a in log] == ["Bearer oauth-other-token-1234", f"Bearer {SECRETS['oauth_token']}"]
    assert client.stats.requests == 2 and other.stats == client.stats
    assert "oauth-other-token-1234" not in repr(other) and other.credential_fingerprint.startswith("sha256:")
    other.close()  # leaves the shared connections open
    assert client.users.me() == {"id": 1}
    with pytest.raises(ZdlibError, match="closed"):
        other.users.me()
    client.close()
    with pytest.raises(ZdlibError, match="closed"):
        client.with_auth(BearerAuth("oauth-other-token-1234")).users.me()


def test_revocation_uses_the_token_itself_through_with_auth() -> None:
    handler, log = grant_server()
    with make_client(handler, kind="client_credentials") as client:
        client.users.me()
    assert log[-2:] == [
        ("GET", "/api/v2/oauth/tokens/current", "Bearer at-granted-123456"),
        ("DELETE", "/api/v2/oauth/tokens/5", "Bearer at-granted-123456"),
    ]


def test_last_server_date_is_the_date_of_the_last_answer() -> None:
    handler, _ = grant_server()
    client = make_client(handler, kind="oauth")
    assert client.last_server_date is None
    client.users.me()
    assert client.last_server_date == dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    client.get("/api/v2/oauth/tokens/current")  # no Date header
    assert client.last_server_date is None


def test_the_grant_body_is_sent_as_before() -> None:
    handler, _ = grant_server()
    bodies = []

    def spy(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            bodies.append((json.loads(request.content), request.headers.get("user-agent", "")))
        return handler(request)

    make_client(spy, kind="client_credentials").users.me()
    assert bodies[0][0]["grant_type"] == "client_credentials" and bodies[0][1].startswith("zdlib/")


@pytest.mark.parametrize(
    "path", ["client.py", "retry.py", "auth.py", "config.py", "errors.py", "schemes.py", "resources"]
)
def test_no_function_of_the_client_is_longer_than_sixty_lines(path: str) -> None:
    files = sorted((ROOT / path).glob("*.py")) if (ROOT / path).is_dir() else [ROOT / path]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{file.name}:{node.lineno} {node.name}"
