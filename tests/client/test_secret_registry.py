"""The process-wide secret registry: every secret is known from birth and redacted in every form."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote

import httpx
import pytest

from tests.client.conftest import BASE, SECRETS, make_client
from zdlib import redact
from zdlib.errors import ZdlibError

# Real-looking values: a 64-hex OAuth token, a 64-character base64 client secret, a 40-character API token.
ACCESS_TOKEN = "9f2c4b7e1a3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
NEW_CLIENT_SECRET = "Qm9yZWRBcGVzK0xpa2VUb2tlbnMvQW5kU2VjcmV0cz0xMjM0NTY3ODkwYWJjZGVm"
API_TOKEN = "Xk7Qp2Lm9Rt4Vw1Zy8Bn3Cd6Fg0Hj5Ks2Lq7Mp4N"


def forms(secret: str, user: str = "ops@example.com/token") -> list[str]:
    """How a secret can appear in text."""
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return [
        secret,
        basic,
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        base64.b64encode(secret.encode()).decode(),
    ]


@pytest.mark.parametrize("secret", [ACCESS_TOKEN, NEW_CLIENT_SECRET, API_TOKEN, 'p"w/+=\\' + "x" * 12])
def test_a_registered_secret_is_redacted_in_every_form(secret: str) -> None:
    redact.register_secret("test secret", secret)
    basic = base64.b64encode(f"ops@example.com/token:{secret}".encode()).decode()
    plain = base64.b64encode(f"admin:{secret}".encode()).decode()
    text = (
        f"raw {secret}; basic: Authorization: Basic {basic}; user basic {plain}; "
        f"url ?t={quote(secret, safe='')}; json {json.dumps({'echo': secret})}; "
        f"bare base64 {base64.b64encode(secret.encode()).decode()}"
    )
    cleaned = redact.redact_text(text)
    for form in [*forms(secret), plain, json.dumps(secret)[1:-1]]:
        assert form not in cleaned, form
    assert cleaned.count(redact.REDACTED) >= 6
    assert "raw " in cleaned and "json " in cleaned  # the rest of the text stays


def test_any_bearer_or_basic_credential_is_redacted_even_when_unknown() -> None:
    unknown = "d41d8cd98f00b204e9800998ecf8427e"
    cleaned = redact.redact_text(f"echo: Authorization: Bearer {unknown} and Basic dXNlcjpwYXNzd29yZA==")
    assert unknown not in cleaned and "dXNlcjpwYXNzd29yZA" not in cleaned
    assert cleaned.count("Bearer <redacted>") == 1 and "Basic <redacted>" in cleaned


def test_a_secret_wrapped_or_split_by_a_server_is_redacted_whole() -> None:
    """Attack review 2026-12-02 (B4/B5): an echo wrapped at 40 columns cut `Bearer <8 chars>` and left the
    rest of a live token in the record; a secret split by spaces or escaped line breaks went through."""
    import textwrap

    token = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1F2"
    redact.register_secret("the run's token", token)
    wrapped = "\n".join(textwrap.wrap("400: echo Authorization: Bearer " + token, 40))
    spaced = " ".join(token[i : i + 5] for i in range(0, len(token), 5))
    escaped = token[:20] + "\\n" + token[20:]
    for text in (wrapped, spaced, escaped, {"reason": wrapped}):
        out = redact.redact_data(text) if isinstance(text, dict) else redact.redact_text(text)
        flat = "".join(str(out).split()).replace("\\n", "")
        assert all(token[i : i + 6] not in flat for i in range(len(token) - 6)), out


def test_short_secrets_are_redacted_as_whole_tokens_only() -> None:
    redact.register_secret("short", "pw9x")
    assert redact.redact_text("password is pw9x.") == "password is <redacted>."
    assert redact.redact_text("spw9xy stays") == "spw9xy stays"


def test_listeners_hear_every_secret_including_earlier_ones() -> None:
    heard: list[tuple[str, str]] = []
    redact.register_secret("before", ACCESS_TOKEN)
    listener = lambda label, value: heard.append((label, value))  # noqa: E731
    redact.add_secret_listener(listener)
    try:
        assert redact.register_secret("after", NEW_CLIENT_SECRET) is True
        assert redact.register_secret("again", NEW_CLIENT_SECRET) is False
    finally:
        redact.remove_secret_listener(listener)
    assert heard == [("before", ACCESS_TOKEN), ("after", NEW_CLIENT_SECRET)]


def test_webhook_credentials_and_credential_headers_are_redacted_in_data() -> None:
    webhook = {
        "webhook": {
            "name": "Slack",
            "authentication": {"type": "api_key", "data": {"name": "X-Api-Key", "value": API_TOKEN}},
            "custom_headers": {"X-Auth-Token": ACCESS_TOKEN, "X-Team": "support"},
        }
    }
    cleaned = json.dumps(redact.redact_data(webhook))
    assert API_TOKEN not in cleaned and ACCESS_TOKEN not in cleaned
    assert '"type": "api_key"' in cleaned and '"X-Team": "support"' in cleaned


def grant_server(echo: str) -> httpx.MockTransport:
    """Grants a token, then answers every API call with an error that echoes the request (`echo`)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
        if request.url.path == "/api/v2/oauth/clients":
            return httpx.Response(201, json={"client": {"id": 7, "secret": NEW_CLIENT_SECRET}})
        seen = request.headers.get("authorization", "") if echo == "header" else request.content.decode()
        return httpx.Response(400, json={"error": "BadRequest", "description": f"we received: {seen}"})

    return httpx.MockTransport(handler)


def test_the_runs_own_token_is_registered_and_an_echoed_header_is_redacted(caplog) -> None:
    client = make_client(lambda r: httpx.Response(500), kind="client_credentials")
    client._http._transport = grant_server("header")
    with caplog.at_level(logging.DEBUG, logger="zdlib"), pytest.raises(ZdlibError) as caught:
        client.get("/api/v2/users/me")
    assert ACCESS_TOKEN in redact.registered_secrets().values()
    assert SECRETS["client_secret"] in redact.registered_secrets().values()
    texts = [str(caught.value), repr(caught.value), str(caught.value.description), caplog.text]
    assert all(ACCESS_TOKEN not in text for text in texts)
    assert all(SECRETS["client_secret"] not in text for text in texts)
    assert "we received: Bearer <redacted>" in str(caught.value)


def test_a_new_client_secret_is_registered_before_the_caller_sees_it_and_never_echoed(caplog) -> None:
    client = make_client(lambda r: httpx.Response(500), kind="oauth")
    client._http._transport = grant_server("body")
    created = client.oauth_clients.create({"name": "x", "identifier": "x"})
    assert created["secret"] == NEW_CLIENT_SECRET  # the caller still gets it, once
    assert NEW_CLIENT_SECRET in redact.registered_secrets().values()
    with caplog.at_level(logging.DEBUG, logger="zdlib"), pytest.raises(ZdlibError) as caught:
        client.post("/api/v2/oauth/grant_attempt", {"client_secret_echo": NEW_CLIENT_SECRET})
    assert NEW_CLIENT_SECRET not in str(caught.value) and NEW_CLIENT_SECRET not in caplog.text
    assert NEW_CLIENT_SECRET not in json.dumps(caught.value.details or {})


def test_grant_answers_register_access_and_refresh_tokens() -> None:
    refresh = "r3fr3sh-7c1e9a5b3d7f2a4c6e8b0d1f3a5c7e9b"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "refresh_token": refresh})

    client = make_client(handler, kind="oauth")
    client.oauth_grants.refresh("old-refresh-token-value", "zdlib_ops", NEW_CLIENT_SECRET)
    known = set(redact.registered_secrets().values())
    assert {ACCESS_TOKEN, refresh, NEW_CLIENT_SECRET, "old-refresh-token-value"} <= known


def test_a_token_prefix_beside_a_full_token_is_not_registered() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            201, json={"token": {"id": 1, "token": ACCESS_TOKEN[:10], "full_token": ACCESS_TOKEN}}
        )

    make_client(handler, kind="oauth").oauth_tokens.create(2001, ["read"])
    known = set(redact.registered_secrets().values())
    assert ACCESS_TOKEN in known and ACCESS_TOKEN[:10] not in known


def test_configured_credentials_are_redacted_from_info_logs(caplog) -> None:
    token = SECRETS["api_token"]
    client = make_client(lambda r: httpx.Response(200, json={}), kind="token")
    logger = logging.getLogger("zdlib")
    with caplog.at_level(logging.INFO, logger="zdlib"):
        logger.info(
            "a careless line with %s and Basic %s", token, base64.b64encode(f"a:{token}".encode()).decode()
        )
    assert token not in caplog.text and "<redacted>" in caplog.text
    assert client.base_url == BASE


def test_curl_lines_are_shell_quoted() -> None:
    client = make_client(lambda r: httpx.Response(200, json={}), kind="oauth")
    command = client.curl("GET", "/api/v2/users/$(touch /tmp/pwned)")
    assert f"curl '{BASE}/api/v2/users/$(touch /tmp/pwned)'" in command


@pytest.mark.parametrize("kind", ["token", "password", "client_credentials", "oauth"])
def test_debug_logs_hide_credentials_a_server_echoes_back(caplog, kind) -> None:
    """Problem 8: a server quoting the request's Authorization header in its answer, at DEBUG."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
        echoed = request.headers["authorization"]
        return httpx.Response(200, text=f"you sent {echoed} ({echoed.split()[-1]})")

    client = make_client(handler, kind=kind)
    with caplog.at_level(logging.DEBUG, logger="zdlib"):
        client.request("GET", "/api/v2/users/me")
    secret = {
        "token": SECRETS["api_token"],
        "password": SECRETS["password"],
        "oauth": SECRETS["oauth_token"],
        "client_credentials": ACCESS_TOKEN,
    }[kind]
    assert "you sent" in caplog.text
    for form in forms(secret, "ops@example.com/token" if kind == "token" else "ops@example.com"):
        assert form not in caplog.text, form
