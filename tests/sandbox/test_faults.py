"""Fault injection: 5xx with and without Retry-After, 429 bursts in every Retry-After form,
dropped connections, latency, a repeating cursor; switchable at start and at run time."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from tests.sandbox.support import client, control_key
from zdlib.sandbox.server import SandboxServer


def test_server_errors_with_and_without_retry_after(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(fail_rate=1.0, fail_statuses=[503], fail_retry_after=7)
    first = api.get("/api/v2/users/me")
    assert (first.status_code, first.json(), first.headers["retry-after"]) == (
        503,
        {"error": "ServiceUnavailable"},
        "7",
    )
    fresh_sandbox.control.set_faults(fail_retry_after=None, fail_statuses=[500, 502])
    statuses = {api.get("/api/v2/users/me").status_code for _ in range(30)}
    assert statuses == {500, 502}
    fresh_sandbox.control.set_faults(fail_statuses=[503])
    assert "retry-after" not in api.get("/api/v2/users/me").headers
    assert fresh_sandbox.control.stats()["by_status"]["503"] == 2


def test_fail_rate_is_a_rate(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(fail_rate=0.3)
    codes = [api.get("/api/v2/users/me").status_code for _ in range(200)]
    assert 30 <= sum(c >= 500 for c in codes) <= 90


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (2, "2"),
        (1.5, "1.5"),
        ("50, 53", "50, 53"),
        (None, None),
    ],
)
def test_429_bursts_with_each_retry_after_form(fresh_sandbox, api, form, expected):
    fresh_sandbox.control.set_faults(burst_429=2, burst_retry_after=form)
    responses = [api.get("/api/v2/users/me") for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 200]
    assert responses[0].headers.get("retry-after") == expected
    assert responses[0].text == "Number of allowed API requests per minute exceeded"


def test_429_burst_with_an_http_date(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(burst_429=1, burst_retry_after="http-date+5")
    when = parsedate_to_datetime(api.get("/api/v2/users/me").headers["retry-after"])
    assert 3 <= when.timestamp() - time.time() <= 7


def test_dropped_connection_gives_no_response_at_all(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(drop_next=1)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        api.get("/api/v2/users/me")
    assert api.get("/api/v2/users/me").status_code == 200
    assert fresh_sandbox.control.stats()["dropped"] == 1


def test_latency(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(latency_ms=120)
    started = time.perf_counter()
    api.get("/api/v2/users/me")
    assert time.perf_counter() - started >= 0.12
    started = time.perf_counter()
    fresh_sandbox.control.stats()  # control calls are never delayed
    assert time.perf_counter() - started < 0.1


def test_repeated_cursor_for_loop_guards(fresh_sandbox, api):
    first = api.get("/api/v2/users", params={"page[size]": 10}).json()
    fresh_sandbox.control.set_faults(repeat_cursor=True)
    second = api.get(first["links"]["next"]).json()
    third = api.get(second["links"]["next"]).json()
    assert second["meta"]["after_cursor"] == first["meta"]["after_cursor"] == third["meta"]["after_cursor"]
    assert second["meta"]["has_more"] is True


def test_start_options_and_unknown_settings():
    with SandboxServer(fail_rate=1.0, latency_ms=1) as faulty, client(faulty) as http:
        assert http.get("/api/v2/users/me").status_code >= 500
        assert faulty.control.set_faults(fail_rate=0)["latency_ms"] == 1
        assert http.get("/api/v2/users/me").status_code == 200
        refused = httpx.post(
            faulty.url + "/sandbox/faults", json={"explode": True}, headers=control_key(faulty)
        )
        assert refused.status_code == 400 and "explode" in refused.json()["description"]


def test_reset_clears_faults_and_counters(fresh_sandbox, api):
    fresh_sandbox.control.set_faults(burst_429=5)
    api.get("/api/v2/users/me")
    fresh_sandbox.control.reset()
    assert api.get("/api/v2/users/me").status_code == 200
    stats = fresh_sandbox.control.stats()
    assert stats["total"] == 1 and stats["by_endpoint"] == {"GET /api/v2/users/me": 1}


def test_stats_count_peak_concurrency(fresh_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    fresh_sandbox.control.set_faults(latency_ms=150)

    def call(_: int) -> int:
        with client(fresh_sandbox) as http:
            return http.get("/api/v2/users/me").status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(call, range(4))) == [200] * 4
    stats = fresh_sandbox.control.stats()
    assert stats["peak_concurrency"] >= 2 and stats["in_flight"] == 0
    assert stats["by_family"] == {"GET users": 4} and stats["total"] == 4
