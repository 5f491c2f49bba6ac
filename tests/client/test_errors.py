from __future__ import annotations

import httpx
import pytest

from tests.client.conftest import BASE, SECRETS, make_client
from zdlib import (
    AuthenticationError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationError,
    ZdlibError,
    ZendeskError,
)
from zdlib.errors import parse_envelope


def answer(status: int, **kwargs) -> httpx.Client:
    return lambda request: httpx.Response(status, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "code", "description"),
    [
        ({"json": {"error": "RecordNotFound", "description": "Not found"}}, "RecordNotFound", "Not found"),
        (
            {"json": {"error": {"title": "Forbidden", "message": "You do not have access to this page."}}},
            "Forbidden",
            "You do not have access to this page.",
        ),
        (
            {
                "json": {
                    "errors": [{"code": "InvalidPaginationDepth", "title": "Too deep", "detail": "use CBP"}]
                }
            },
            "InvalidPaginationDepth",
            "use CBP",
        ),
        ({"text": "Number of allowed API requests per minute exceeded"}, None, "Number of allowed API"),
        (
            {"json": {"error": "invalid_token", "error_description": "The access token provided is expired"}},
            "invalid_token",
            "The access token provided is expired",
        ),
    ],
)
def test_four_envelopes(kwargs: dict, code: str | None, description: str) -> None:
    code_, description_, _ = parse_envelope(httpx.Response(400, **kwargs))
    assert code_ == code
    assert description_.startswith(description)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthenticationError),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (422, ValidationError),
        (501, ServerError),
        (418, ZendeskError),
    ],
)
def test_status_families_map_to_classes(status: int, cls: type[ZendeskError]) -> None:
    client = make_client(answer(status, json={"error": "Something"}, headers={"X-Request-Id": "rid-1"}))
    with pytest.raises(cls) as info:
        client.post("/api/v2/things", {"x": 1})
    error = info.value
    assert type(error) is cls
    assert (error.status, error.code, error.request_id, error.method) == (
        status,
        "Something",
        "rid-1",
        "POST",
    )
    assert error.url == f"{BASE}/api/v2/things"


def test_not_found_message_names_thing_reason_and_next_step() -> None:
    client = make_client(
        answer(
            404,
            json={"error": "RecordNotFound", "description": "Not found"},
            headers={"X-Zendesk-Request-Id": "zd-1", "X-Request-Id": "cf-2"},
        )
    )
    with pytest.raises(NotFound) as info:
        client.automations.get(12345)
    text = str(info.value)
    assert text.startswith(
        "Automation 12345 was not found on https://acme.zendesk.com (404 RecordNotFound, request id zd-1)."
    )
    assert "Check the id" in text
    assert client.last_request_id == "zd-1"


def test_validation_error_summarizes_details() -> None:
    body = {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {"email": [{"description": "Email: x is already being used", "error": "DuplicateValue"}]},
    }
    client = make_client(answer(422, json=body))
    with pytest.raises(ValidationError) as info:
        client.users.update(5, {"email": "x"})
    assert "User 5 was refused" in str(info.value)
    assert "email: Email: x is already being used" in str(info.value)
    assert info.value.details["email"][0]["error"] == "DuplicateValue"


def test_rate_limited_carries_retry_after() -> None:
    client = make_client(answer(429, text="slow down", headers={"Retry-After": "30"}), ZENDESK_DEADLINE="10")
    with pytest.raises(RateLimited) as info:
        client.users.me()
    assert info.value.retry_after == 30 and info.value.description == "slow down"


def test_url_in_errors_has_secrets_removed() -> None:
    client = make_client(answer(500, json={"error": "InternalServerError"}))
    with pytest.raises(ServerError) as info:
        client.request("POST", "/api/v2/x", params={"access_token": "leaky-token-123", "page": 2})
    assert "leaky-token-123" not in str(info.value) + info.value.url + repr(info.value)
    assert "page=2" in info.value.url
    assert "quote the request id" in str(info.value)


def test_an_error_is_never_an_empty_result() -> None:
    pages = iter(
        [
            httpx.Response(
                200,
                json={
                    "users": [{"id": 1}],
                    "meta": {"has_more": True, "after_cursor": "a1"},
                    "links": {"next": f"{BASE}/api/v2/users?page[size]=100&page[after]=a1"},
                },
            ),
            httpx.Response(403, json={"error": "Forbidden", "description": "missing scope users:read"}),
        ]
    )
    client = make_client(lambda request: next(pages))
    users = client.users.iterate()
    assert next(users) == {"id": 1}
    with pytest.raises(PermissionDenied, match="missing scope"):
        next(users)


def test_non_json_success_is_an_error() -> None:
    client = make_client(answer(200, text="<html>login</html>", headers={"content-type": "text/html"}))
    with pytest.raises(ZendeskError, match="not JSON"):
        client.users.me()


def test_foreign_absolute_urls_are_refused() -> None:
    client = make_client(answer(200, json={}))
    with pytest.raises(ZdlibError, match="Refusing to send the credential"):
        client.get("https://evil.example.com/api/v2/users/me")


@pytest.mark.parametrize("kind", ["token", "oauth", "client_credentials", "password"])
def test_401_for_each_auth_kind_explains_what_to_check(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            return httpx.Response(200, json={"access_token": "at-1234567890", "expires_in": 3600})
        return httpx.Response(401, json={"error": "Couldn't authenticate you"})

    client = make_client(handler, kind=kind)
    with pytest.raises(AuthenticationError) as info:
        client.users.get(1)
    text = str(info.value)
    expected = {
        "token": "ZENDESK_API_TOKEN",
        "oauth": "ZENDESK_OAUTH_TOKEN",
        "client_credentials": "ZENDESK_CLIENT_SECRET",
        "password": "removed password access",
    }[kind]
    assert expected in text
    assert all(secret not in text + repr(info.value) for secret in SECRETS.values())
