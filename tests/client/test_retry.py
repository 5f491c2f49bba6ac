from __future__ import annotations

import email.utils

import httpx
import pytest

from tests.client.conftest import FakeClock, make_client, ok
from zdlib import DeadlineExceeded, NetworkError, RateLimited, ServerError
from zdlib.retry import RetryPolicy, parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("1.5", 1.5),
        ("50, 53", 53.0),
        ("53,50", 53.0),
        (email.utils.formatdate(NOW + 42, usegmt=True), 42.0),
        (email.utils.formatdate(NOW - 10, usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def sequence(*responses: httpx.Response | Exception):
    """A handler answering with the given responses (or raising the given errors) in turn."""
    seen: list[httpx.Request] = []
    answers = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def too_many(**headers: str) -> httpx.Response:
    return httpx.Response(429, text="Number of allowed API requests per minute exceeded", headers=headers)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "2.5"}, 2.5),
        ({"Retry-After": "50, 53"}, 53.0),
        (
            {
                "Retry-After": email.utils.formatdate(NOW + 30, usegmt=True),
                "Date": email.utils.formatdate(NOW, usegmt=True),
            },
            30.0,
        ),
        ({"ratelimit-reset": "12"}, 12.1),
        ({}, 0.5),
    ],
)
def test_429_waits_then_succeeds(headers: dict[str, str], wait: float) -> None:
    handler, seen = sequence(too_many(**headers), ok({"user": {"id": 1}}))
    events = []
    clock = FakeClock()
    client = make_client(handler, clock=clock, on_event=events.append)
    assert client.users.me() == {"id": 1}
    assert len(seen) == 2
    assert sum(clock.sleeps) == pytest.approx(wait)
    assert client.stats.rate_limited == 1 and client.stats.retries == 1
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["rate_limited", "retry"] and "wait" in kinds
    assert events[0].wait_s == pytest.approx(wait)


def test_429_without_anything_backs_off_exponentially_with_cap() -> None:
    handler, _seen = sequence(*[too_many() for _ in range(4)], ok({"user": {}}))
    clock = FakeClock()
    client = make_client(handler, clock=clock, retry_policy=RetryPolicy(backoff_base=1, backoff_cap=3))
    client.users.me()
    assert clock.sleeps == pytest.approx([1, 2, 3, 3])


def test_backoff_has_jitter() -> None:
    policy = RetryPolicy(backoff_base=2, backoff_cap=100)
    assert policy.backoff(3, lambda: 0.0) == 4.0
    assert policy.backoff(3, lambda: 1.0) == 8.0


@pytest.mark.parametrize(
    ("response", "wait"),
    [
        (httpx.Response(503, json={"error": "ServiceUnavailable"}, headers={"Retry-After": "4"}), 4.0),
        (httpx.Response(503, text="maintenance"), 0.5),
        (httpx.Response(500, json={"error": "InternalServerError"}), 0.5),
        (httpx.Response(502, text="bad gateway"), 0.5),
        (httpx.Response(504, text="gateway timeout"), 0.5),
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_idempotent_methods_retry_server_errors(response: httpx.Response, wait: float, method: str) -> None:
    handler, seen = sequence(response, ok({"ok": True}))
    clock = FakeClock()
    client = make_client(handler, clock=clock)
    assert client.request(method, "/api/v2/automations/1").status_code == 200
    assert len(seen) == 2 and clock.sleeps == pytest.approx([wait])


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_not_retried_on_server_errors(status: int) -> None:
    handler, seen = sequence(httpx.Response(status, json={"error": "InternalServerError"}))
    client = make_client(handler)
    with pytest.raises(ServerError) as info:
        client.automations.create({"title": "x"})
    assert len(seen) == 1
    assert info.value.status == status and info.value.method == "POST"


def test_post_is_retried_after_429() -> None:
    handler, seen = sequence(too_many(**{"Retry-After": "1"}), ok({"automation": {"id": 9}}, 201))
    client = make_client(handler)
    assert client.automations.create({"title": "x"}) == {"id": 9}
    assert len(seen) == 2


def test_post_retried_only_when_nothing_was_sent() -> None:
    handler, seen = sequence(httpx.ConnectError("refused"), ok({"automation": {"id": 1}}, 201))
    assert make_client(handler).automations.create({"title": "x"}) == {"id": 1}
    assert len(seen) == 2
    handler, seen = sequence(httpx.ReadError("reset by peer"))
    with pytest.raises(NetworkError, match="ReadError"):
        make_client(handler).automations.create({"title": "x"})
    assert len(seen) == 1


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")]
)
def test_get_retries_network_errors(error: Exception) -> None:
    handler, seen = sequence(error, ok({"user": {"id": 2}}))
    assert make_client(handler).users.get(2) == {"id": 2}
    assert len(seen) == 2


def test_retries_are_bounded() -> None:
    handler, seen = sequence(*[httpx.Response(500, json={"error": "InternalServerError"})] * 10)
    with pytest.raises(ServerError):
        make_client(handler, retry_policy=RetryPolicy(max_attempts=3)).users.get(1)
    assert len(seen) == 3
    handler, seen = sequence(*[httpx.ConnectError("down")] * 10)
    with pytest.raises(NetworkError, match=r"No answer from https://acme\.zendesk\.com"):
        make_client(handler, retry_policy=RetryPolicy(max_attempts=4)).users.get(1)
    assert len(seen) == 4


def test_tls_failure_is_not_retried_and_points_to_ca_bundle() -> None:
    handler, seen = sequence(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"))
    with pytest.raises(NetworkError, match="ZENDESK_CA_BUNDLE"):
        make_client(handler).users.me()
    assert len(seen) == 1


def test_same_behaviour_over_http_and_https() -> None:
    for url in ("https://acme.zendesk.com", "http://127.0.0.1:9999"):
        handler, seen = sequence(httpx.Response(503, text="down"), ok({"user": {"id": 3}}))
        assert make_client(handler, ZENDESK_URL=url).users.get(3) == {"id": 3}
        assert len(seen) == 2 and str(seen[0].url).startswith(url)


def test_deadline_turns_a_long_retry_after_into_rate_limited() -> None:
    handler, seen = sequence(too_many(**{"Retry-After": "120"}))
    client = make_client(handler, ZENDESK_DEADLINE="60")
    with pytest.raises(RateLimited) as info:
        client.users.me()
    assert info.value.retry_after == 120
    assert "Retry after 120 s" in str(info.value)
    assert len(seen) == 1


def test_deadline_ends_a_pacing_wait() -> None:
    reset = {"ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "50"}
    handler, _ = sequence(ok({"user": {}}, **reset))
    client = make_client(handler, ZENDESK_DEADLINE="5")
    client.users.me()
    with pytest.raises(DeadlineExceeded) as info:
        client.users.me()
    assert info.value.retry_after == pytest.approx(50.5, abs=0.1)  # whole-second reset header: +0.5 s


def test_rate_limited_is_raised_after_too_many_429s() -> None:
    handler, seen = sequence(*[too_many(**{"Retry-After": "1"})] * 5)
    client = make_client(handler, retry_policy=RetryPolicy(max_rate_limited=3))
    with pytest.raises(RateLimited) as info:
        client.users.me()
    assert len(seen) == 4 and info.value.retry_after == 1


NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(503, json={"error": "ServiceUnavailable"}),
        httpx.ReadTimeout("the answer was lost"),
        httpx.RemoteProtocolError("the connection closed without an answer"),
    ],
    ids=["503", "read timeout", "dropped"],
)
def test_a_delete_carried_out_before_an_unclear_answer_is_done_on_the_retrys_404(first) -> None:
    # security re-test 2026-12-04 L9: Zendesk deleted it, answered 503; the retry's 404 means done
    handler, seen = sequence(first, ok(NOT_FOUND, status=404))
    client = make_client(handler)
    assert client.automations.delete(12349) is None
    assert [r.method for r in seen] == ["DELETE", "DELETE"]


def test_a_delete_that_was_never_sent_or_clear_still_reports_not_found() -> None:
    from zdlib import NotFound

    handler, _ = sequence(ok(NOT_FOUND, status=404))  # a first, clear 404: nothing was deleted by us
    with pytest.raises(NotFound):
        make_client(handler).automations.delete(12349)
    handler, _ = sequence(httpx.ConnectError("refused"), ok(NOT_FOUND, status=404))  # never reached it
    with pytest.raises(NotFound):
        make_client(handler).automations.delete(12349)
