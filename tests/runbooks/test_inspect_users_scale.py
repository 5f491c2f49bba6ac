"""inspect_users on 1,000,000 users: counts by default in a handful of requests (issue 22).

The truth is the census the old full listing measured on the same generated account (10,002 requests,
performance.md section 3: 3 admins, 15,003 agents + 5,001 light agents, 979,993 end users, 10,105
suspended), so the counts are checked against numbers found another way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.runbooks.support import api, run
from zdlib.sandbox.server import SandboxServer

MEASURED = {
    "users": 1_000_000,
    "role: admin": 3,
    "role: agent": 20_004,
    "role: end-user": 979_993,
    "role: light agent": 5_001,
    "custom role: Staff": 15_003,
    "suspended": 10_105,
}


@pytest.fixture(scope="module")
def million() -> Iterator[SandboxServer]:
    with SandboxServer(users=1_000_000, as_of="2026-11-28", seed=1) as server:
        yield server


def _api_requests(sandbox: SandboxServer) -> int:
    """Requests the sandbox answered on Zendesk's API (its own /sandbox/ control calls aside)."""
    return sum(n for path, n in sandbox.control.stats()["by_endpoint"].items() if " /api/" in path)


def test_the_default_census_counts_a_million_users_in_at_most_10_requests(million, tmp_path):
    million.control.reset()
    started = time.monotonic()
    result = run(million, tmp_path, "inspect_users")
    elapsed = time.monotonic() - started
    assert result.outcome == "no-op", result.reason
    assert 5 <= _api_requests(million) <= 10, million.control.stats()["by_endpoint"]
    facts = result.summary["facts"]
    assert {k: facts["counts"][k] for k in MEASURED} == MEASURED
    assert facts["freshness"]["role: end-user"].startswith("approximate, refreshed every 24 hours 2026-11-28")
    assert facts["freshness"]["role: admin"].startswith("approximate, current")
    assert "Counted 1,000,000 users by role (10,105 suspended)" in result.reason
    html = result.html.read_text()
    assert "refreshed every 24 hours" in html and "search index" in html
    print(f"default census of 1,000,000 users: {_api_requests(million)} requests, {elapsed:.1f} s")


def test_staff_details_cost_staff_over_100_plus_10_requests(million, tmp_path):
    million.control.reset()
    result = run(million, tmp_path, "inspect_users", detail="staff")
    assert result.outcome == "no-op", result.reason
    staff = MEASURED["role: admin"] + MEASURED["role: agent"]
    assert staff / 100 < _api_requests(million) <= staff / 100 + 10, million.control.stats()["by_endpoint"]
    assert f"Inspected {staff:,} users" in result.reason
    print(f"staff details on 1,000,000 users: {_api_requests(million)} requests")
    assert result.summary["facts"]["roles"] == {"admin": 3, "agent": 15_003, "light agent": 5_001}


def test_a_detail_zendesk_has_not_is_refused_before_any_count(million, tmp_path):
    million.control.reset()
    result = run(million, tmp_path, "inspect_users", detail="all")
    assert result.outcome == "refused"
    assert "detail='all' is not one of 'counts', 'staff', 'everyone'" in result.reason
    assert million.control.stats()["by_endpoint"] == {"GET /api/v2/users/me": 1}  # the operator only


def test_a_query_over_1000_users_is_read_whole_through_the_search_export(million, tmp_path):
    million.control.reset()
    query = "role:agent"
    matched = api(million, "GET", "/api/v2/search/count", params={"query": f"type:user {query}"}).json()
    million.control.reset_stats()
    result = run(million, tmp_path, "inspect_users", query=query)
    assert result.outcome == "no-op", result.reason
    assert matched["count"] > 1_000 and f"Inspected {matched['count']:,} users;" in result.reason
    assert result.summary["facts"]["users"] == matched["count"]
    by_endpoint = million.control.stats()["by_endpoint"]
    pages = -(-matched["count"] // 1_000)
    exports = sum(n for key, n in by_endpoint.items() if key.startswith("GET /api/v2/search/export"))
    assert exports == pages and not any("users/search" in key for key in by_endpoint), by_endpoint
    assert pages < _api_requests(million) <= pages + 10, by_endpoint
    print(f"a query matching {matched['count']:,} of 1,000,000 users: {_api_requests(million)} requests")
