from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading

import httpx
import pytest

from tests.client.conftest import SECRETS, FakeClock, make_client
from zdlib import ApiTokenAuth, BearerAuth, ClientCredentialsAuth, CredentialDeprecationWarning, PasswordAuth


def sent_header(auth: httpx.Auth) -> str:
    request = httpx.Request("GET", "https://acme.zendesk.com/api/v2/users/me")
    return next(auth.auth_flow(request)).headers["Authorization"]


def test_header_schemes() -> None:
    token = sent_header(ApiTokenAuth("a@b.c", "T0K", warn=False))
    assert base64.b64decode(token.split()[1]) == b"a@b.c/token:T0K"
    assert sent_header(BearerAuth("abc")) == "Bearer abc"
    assert base64.b64decode(sent_header(PasswordAuth("a@b.c", "pw", warn=False)).split()[1]) == b"a@b.c:pw"


def test_api_token_warns_once_with_days_left(caplog) -> None:
    with pytest.warns(CredentialDeprecationWarning, match=r"2027-04-30 \(153 days left\)"):
        ApiTokenAuth("a@b.c", "t1", today=dt.date(2026, 11, 28))
    assert "153 days left" in caplog.text
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ApiTokenAuth("a@b.c", "t2", today=dt.date(2026, 11, 28))  # not again


def test_password_warns_it_was_removed() -> None:
    with pytest.warns(CredentialDeprecationWarning, match="removed password access"):
        PasswordAuth("a@b.c", "pw")


def test_reprs_show_fingerprints_only() -> None:
    auths = [
        ApiTokenAuth("a@b.c", SECRETS["api_token"], warn=False),
        BearerAuth(SECRETS["oauth_token"]),
        PasswordAuth("a@b.c", SECRETS["password"], warn=False),
        ClientCredentialsAuth("ops", SECRETS["client_secret"]),
    ]
    for auth in auths:
        text = repr(auth) + str(auth)
        assert "sha256:" in text
        assert all(secret not in text for secret in SECRETS.values())


def cc_server(expires_in: int = 600):
    log: list[tuple[str, str, dict | None, str | None]] = []
    counter = {"n": 0}
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        log.append((request.method, request.url.path, body, request.headers.get("Authorization")))
        if request.url.path == "/oauth/tokens":
            with lock:
                counter["n"] += 1
                n = counter["n"]
            return httpx.Response(
                200,
                json={
                    "access_token": f"at-{n}-abcdef",
                    "token_type": "bearer",
                    "scope": "read write",
                    "expires_in": expires_in,
                },
            )
        if request.url.path == "/api/v2/oauth/tokens/current":
            return httpx.Response(200, json={"token": {"id": 77}})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"user": {"id": 1}})

    return handler, log


def test_client_credentials_grant_renewal_and_revocation() -> None:
    handler, log = cc_server(expires_in=600)
    clock = FakeClock()
    events = []
    client = make_client(handler, kind="client_credentials", clock=clock, on_event=events.append)
    client.users.me()
    method, path, body, auth = log[0]
    assert (method, path, auth) == ("POST", "/oauth/tokens", None)
    assert body == {
        "grant_type": "client_credentials",
        "client_id": "zdlib_ops",
        "client_secret": SECRETS["client_secret"],
        "scope": "read write",
        "expires_in": 3600,
    }
    assert log[1][3] == "Bearer at-1-abcdef"
    clock.advance(500)  # still fresh (renewed 60 s before expiry)
    client.users.me()
    assert log[2][3] == "Bearer at-1-abcdef"
    clock.advance(45)  # now inside the renewal margin
    client.users.me()
    assert log[3][1] == "/oauth/tokens" and log[4][3] == "Bearer at-2-abcdef"
    client.close()
    assert [(m, p) for m, p, _, _ in log[-2:]] == [
        ("GET", "/api/v2/oauth/tokens/current"),
        ("DELETE", "/api/v2/oauth/tokens/77"),
    ]
    assert log[-1][3] == "Bearer at-2-abcdef"
    assert [e.kind for e in events].count("token_renewed") == 2 and events[-1].kind == "token_revoked"


def test_one_renewal_serves_all_threads() -> None:
    handler, log = cc_server()
    client = make_client(handler, kind="client_credentials")
    threads = [threading.Thread(target=client.users.me) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for _, path, _, _ in log if path == "/oauth/tokens") == 1


def test_401_renews_the_token_once() -> None:
    handler, log = cc_server()
    state = {"refused": False}

    def wrapped(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v2/users/me" and not state["refused"]:
            state["refused"] = True
            log.append(("GET", "/api/v2/users/me", None, request.headers.get("Authorization")))
            return httpx.Response(401, json={"error": "invalid_token"})
        return handler(request)

    client = make_client(wrapped, kind="client_credentials")
    assert client.users.me() == {"id": 1}
    assert [p for _, p, _, _ in log].count("/oauth/tokens") == 2


def test_revocation_failure_is_tolerated(caplog) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            return httpx.Response(200, json={"access_token": "at-zzzzzzzz", "expires_in": 600})
        if request.url.path == "/api/v2/oauth/tokens/current":
            return httpx.Response(403, json={"error": "Forbidden"})
        return httpx.Response(200, json={"user": {}})

    with (
        caplog.at_level(logging.WARNING, logger="zdlib"),
        make_client(handler, kind="client_credentials") as c,
    ):
        c.users.me()
    assert "could not revoke" in caplog.text
    assert "at-zzzzzzzz" not in caplog.text


def test_bad_client_secret_is_an_authentication_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
        )

    from zdlib import AuthenticationError

    with pytest.raises(AuthenticationError, match="ZENDESK_CLIENT_SECRET") as info:
        make_client(handler, kind="client_credentials").users.me()
    assert SECRETS["client_secret"] not in str(info.value)
