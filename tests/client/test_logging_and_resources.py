from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs

import httpx
import pytest

from tests.client.conftest import BASE, SECRETS, make_client
from zdlib import ApiTokensUnsupported, PermissionDenied
from zdlib.redact import fingerprint, redact_body, redact_form

LEAKS = {
    "token": "apitoken-LEAK-111",
    "full_token": "fulltoken-LEAK-222",
    "secret": "clientsecret-LEAK-333",
    "access_token": "accesstoken-LEAK-444",
    "refresh_token": "refresh-LEAK-555",
    "password": "password-LEAK-666",
    "client_secret": "cs-LEAK-777",
}


def test_fingerprint_shape() -> None:
    assert fingerprint("abc") == "sha256:ba7816bf8f01"


def test_debug_logs_redact_headers_and_bodies(caplog) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            201,
            json={
                "api_token": {"id": 1, "token": LEAKS["token"]},
                "nested": [{"full_token": LEAKS["full_token"]}],
                "client": {"secret": LEAKS["secret"]},
                "access_token": LEAKS["access_token"],
                "refresh_token": LEAKS["refresh_token"],
            },
            headers={"X-Zendesk-Request-Id": "req-9", "ratelimit-remaining": "42"},
        )

    client = make_client(handler, kind="token")
    with caplog.at_level(logging.DEBUG, logger="zdlib"):
        client.post(
            "/api/v2/x", {"user": {"password": LEAKS["password"], "client_secret": LEAKS["client_secret"]}}
        )
    text = caplog.text
    basic = base64.b64encode(f"ops@example.com/token:{SECRETS['api_token']}".encode()).decode()
    assert all(value not in text for value in LEAKS.values())
    assert SECRETS["api_token"] not in text and basic not in text
    assert "<redacted>" in text
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and "POST" in r.getMessage()]
    assert (
        info
        and "POST /api/v2/x 201" in info[0]
        and "request_id=req-9" in info[0]
        and "remaining=42" in info[0]
    )
    assert "ms" in info[0]


def test_bodies_are_not_logged_at_info(caplog) -> None:
    client = make_client(lambda r: httpx.Response(200, json={"user": {"name": "Private Person"}}))
    with caplog.at_level(logging.INFO, logger="zdlib"):
        client.users.me()
    assert "Private Person" not in caplog.text and "GET /api/v2/users/me 200" in caplog.text


def test_form_and_text_redaction() -> None:
    form = redact_form(f"grant_type=client_credentials&client_secret={LEAKS['client_secret']}")
    assert LEAKS["client_secret"] not in form and "grant_type=client_credentials" in form
    text = redact_body(
        f"oops {SECRETS['oauth_token']} leaked".encode(), "text/plain", [SECRETS["oauth_token"]]
    )
    assert SECRETS["oauth_token"] not in text


def test_client_repr_and_attributes() -> None:
    client = make_client(lambda r: httpx.Response(200, json={}), kind="oauth")
    text = repr(client) + str(client)
    assert BASE in text and "oauth" in text and client.credential_fingerprint in text
    assert SECRETS["oauth_token"] not in text
    assert client.base_url == BASE and client.auth_kind == "oauth"


@pytest.mark.parametrize(
    ("kind", "credential"),
    [
        ("token", '-u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN"'),
        ("oauth", '-H "Authorization: Bearer $ZENDESK_OAUTH_TOKEN"'),
        ("client_credentials", '-H "Authorization: Bearer $ZENDESK_ACCESS_TOKEN"'),
        ("password", '-u "$ZENDESK_EMAIL:$ZENDESK_PASSWORD"'),
    ],
)
def test_curl_uses_placeholders(kind: str, credential: str) -> None:
    client = make_client(lambda r: httpx.Response(200, json={}), kind=kind)
    command = client.curl("put", "/api/v2/automations/12345", {"automation": {"active": False}})
    assert command.startswith(f"curl {BASE}/api/v2/automations/12345 ")
    assert credential in command and "-X PUT" in command
    assert """-d '{"automation": {"active": false}}'""" in command
    assert all(secret not in command for secret in SECRETS.values())


class Recorder:
    def __init__(self, responses: dict[tuple[str, str], httpx.Response] | None = None) -> None:
        self.calls: list[tuple[str, str, dict, object]] = []
        self.responses = responses or {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, query, body))
        return self.responses.get(
            (request.method, request.url.path), httpx.Response(200, json=self.default(request))
        )

    @staticmethod
    def default(request: httpx.Request) -> dict:
        key = {
            "users": "users",
            "automations": "automations",
            "clients": "clients",
            "tokens": "tokens",
            "audit_logs": "audit_logs",
            "api_tokens": "api_tokens",
        }
        last = request.url.path.rstrip("/").split("/")
        wrapper = next((key[p] for p in reversed(last) if p in key), "x")
        return {
            wrapper: [],
            "user": {"id": 1},
            "automation": {"id": 2},
            "client": {"id": 3},
            "token": {"id": 4},
            "api_token": {"id": 5},
            "audit_log": {"id": 6},
            "count": {"value": 123},
            "meta": {"has_more": False},
            "next_page": None,
            "end_of_stream": True,
        }


def test_resources_hit_the_documented_endpoints() -> None:
    rec = Recorder()
    c = make_client(rec)
    c.users.get(1)
    c.users.me()
    list(c.users.iterate(role="admin"))
    assert c.users.count(role="agent") == 123
    c.users.update(1, {"name": "A"})
    c.users.show_many(range(250))
    c.automations.get(2)
    c.automations.create({"title": "T"})
    c.automations.deactivate(2)
    c.automations.activate(2)
    c.automations.delete(2)
    list(c.automations.list(active=True))
    list(c.automations.active())
    list(c.automations.search("close"))
    c.oauth_clients.create({"name": "n", "identifier": "i"})
    c.oauth_clients.generate_secret(3)
    c.oauth_clients.delete(3)
    list(c.oauth_tokens.list(client_id=3))
    c.oauth_tokens.create(3, ["read"])
    c.oauth_tokens.current()
    c.oauth_tokens.revoke(4)
    c.oauth_grants.client_credentials("ident", "s3cret", ["read", "write"], expires_in=900)
    c.oauth_grants.refresh("r", "ident", "s3cret")
    c.api_tokens.list()
    list(
        c.audit_logs.list(
            source_type="rule",
            action=["update", "destroy"],
            since="2026-11-01T00:00:00Z",
            until="2026-11-28T00:00:00Z",
        )
    )
    calls = [(m, p) for m, p, _, _ in rec.calls]
    assert ("PUT", "/api/v2/users/1") in calls and ("GET", "/api/v2/users/count") in calls
    assert calls.count(("GET", "/api/v2/users/show_many")) == 3
    assert ("POST", "/api/v2/automations") in calls and ("DELETE", "/api/v2/automations/2") in calls
    assert ("PUT", "/api/v2/oauth/clients/3/generate_secret") in calls
    assert ("POST", "/oauth/tokens") in calls and ("DELETE", "/api/v2/oauth/tokens/4") in calls
    assert [p for _, p in calls if p.startswith("/api/v2/api_tokens")] == ["/api/v2/api_tokens"]
    by_path = {(m, p): (q, b) for m, p, q, b in rec.calls}
    assert by_path[("GET", "/api/v2/users")][0] == {"role": ["admin"], "page[size]": ["100"]}
    assert by_path[("GET", "/api/v2/automations")][0]["active"] == ["true"]
    assert by_path[("GET", "/api/v2/oauth/tokens")][0] == {
        "all": ["true"],
        "client_id": ["3"],
        "page[size]": ["100"],
    }
    assert by_path[("POST", "/api/v2/oauth/tokens")][1] == {"token": {"client_id": 3, "scopes": ["read"]}}
    assert by_path[("GET", "/api/v2/api_tokens")][0] == {"include_users": ["true"]}
    grant = [b for m, p, _, b in rec.calls if p == "/oauth/tokens"]
    assert grant[0] == {
        "grant_type": "client_credentials",
        "client_id": "ident",
        "client_secret": "s3cret",
        "scope": "read write",
        "expires_in": 900,
    }
    assert grant[1]["grant_type"] == "refresh_token"
    audit = by_path[("GET", "/api/v2/audit_logs")][0]
    assert audit["filter[created_at][]"] == ["2026-11-01T00:00:00Z", "2026-11-28T00:00:00Z"]
    assert audit["filter[action][]"] == ["update", "destroy"] and audit["filter[source_type]"] == ["rule"]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(404, json={"error": "InvalidEndpoint"}), ApiTokensUnsupported),
        (httpx.Response(405, text="Method Not Allowed"), ApiTokensUnsupported),
        (httpx.Response(404, json={"error": "RecordNotFound"}), ApiTokensUnsupported),
        (httpx.Response(403, json={"error": "Forbidden", "description": "No"}), PermissionDenied),
    ],
)
def test_api_tokens_unsupported(response: httpx.Response, expected: type) -> None:
    c = make_client(lambda r: response)
    with pytest.raises(expected) as info:
        c.api_tokens.list()
    assert type(info.value) is expected
    if expected is ApiTokensUnsupported:
        assert "Listing API tokens is not supported by https://acme.zendesk.com" in str(info.value)


def test_only_zendesks_documented_api_token_listing_is_offered() -> None:
    """zendesk-api.md 5.5: only ListApiTokens is public; reading one, create, (de/re)activate and delete
    are not, so the library has no helper for them (the sandbox's opt-in imitation stays in the sandbox)."""
    c = make_client(lambda r: httpx.Response(500))
    for name in ("get", "create", "deactivate", "reactivate", "delete"):
        assert not hasattr(c.api_tokens, name), name


def test_api_token_listing_reads_last_used_and_last_used_at() -> None:
    listed = [
        {"id": 1, "last_used": "2026-11-01T00:00:00Z"},
        {"id": 2, "last_used_at": "2026-10-01T00:00:00Z"},
        {"id": 3, "last_used": None, "last_used_at": None},
    ]
    c = make_client(lambda r: httpx.Response(200, json={"api_tokens": listed}))
    tokens = c.api_tokens.list()
    assert [t["last_used"] for t in tokens] == ["2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z", None]
    assert tokens[1]["last_used_at"] == "2026-10-01T00:00:00Z"
