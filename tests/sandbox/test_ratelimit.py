"""Account and endpoint rate limits, their headers and 429s (short windows keep this fast)."""

from __future__ import annotations

import time

import pytest

from tests.sandbox.support import client, token_auth
from zdlib.sandbox import seed as S
from zdlib.sandbox.server import SandboxServer

HEADERS = (
    "x-rate-limit",
    "x-rate-limit-remaining",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-zendesk-request-id",
)


@pytest.fixture(scope="module")
def limited():
    with SandboxServer(rate_limit=5, window=1.0, as_of="2026-11-28") as server:
        yield server


def test_headers_on_every_kind_of_response(fresh_sandbox):
    with client(fresh_sandbox) as http:
        responses = [
            http.get("/api/v2/users/me"),
            http.get("/api/v2/nothing"),
            http.get("/api/v2/automations/1"),
            http.get("/api/v2/users", headers=token_auth(fresh_sandbox, token="wrong")),
        ]
    for response in responses:
        for name in HEADERS:
            assert name in response.headers, (response.status_code, name)
    assert responses[0].headers["x-rate-limit"] == "700"
    remaining = [int(r.headers["x-rate-limit-remaining"]) for r in responses]
    assert remaining == [699, 698, 697, 696]
    assert len({r.headers["x-zendesk-request-id"] for r in responses}) == 4


def test_plan_sets_the_limit():
    with SandboxServer(plan="team") as team, client(team) as http:
        assert http.get("/api/v2/users/me").headers["x-rate-limit"] == "200"


def test_429_is_plain_text_with_integer_retry_after_and_the_window_resets(limited):
    limited.control.reset()
    with client(limited) as http:
        statuses = [http.get("/api/v2/users/me").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        refused = http.get("/api/v2/users/me")
        assert refused.text == "Number of allowed API requests per minute exceeded"
        assert refused.headers["content-type"].startswith("text/plain")
        assert refused.headers["retry-after"].isdigit() and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-rate-limit-remaining"] == "0"
        limited.control.stats()  # control calls are not counted and not limited
        assert limited.control.stats()["rate_limited"] == 2
        time.sleep(float(refused.headers["ratelimit-reset"]) + 0.05)
        assert http.get("/api/v2/users/me").status_code == 200


def test_endpoint_limits_per_user_update_and_incremental_export():
    with SandboxServer(rate_limit=1000, window=2.0) as roomy, client(roomy) as http:
        codes = [
            http.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"notes": str(i)}}).status_code
            for i in range(6)
        ]
        other = http.put(f"/api/v2/users/{S.AGENT_ID}", json={"user": {"notes": "x"}})
        exports = [
            http.get("/api/v2/incremental/users/cursor", params={"start_time": 0}).status_code
            for _ in range(11)
        ]
        last = http.get("/api/v2/incremental/users/cursor", params={"start_time": 0})
    assert codes == [200] * 5 + [429]
    assert other.status_code == 200
    assert exports == [200] * 10 + [429]
    assert "retry-after" in last.headers


def test_user_update_429_text(fresh_sandbox):
    with client(fresh_sandbox) as http:
        for _ in range(5):
            http.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"notes": "n"}})
        refused = http.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"notes": "n"}})
    assert refused.status_code == 429
    assert refused.text.startswith("You have exceeded the rate limit for updating a single unique user.")
    assert S.END_USER_EMAIL in refused.text
