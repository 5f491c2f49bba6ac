"""inspect_users with a search larger than Zendesk's 1,000-result limit (fidelity.md K1; runbooks.md)."""

from __future__ import annotations

from tests.runbooks.support import run


def test_a_search_over_1000_users_inspects_1000_and_says_so(fresh_sandbox, tmp_path):
    result = run(fresh_sandbox, tmp_path, "inspect_users", query="email:*@example.com")
    assert result.outcome == "no-op", result.reason
    assert "Inspected 1,000 users (the first 1,000 matches" in result.reason
    html = result.html.read_text()
    assert "at most 1,000 results" in html and "1,989" in html


def test_everyone_goes_through_the_incremental_export_with_an_estimate_first(fresh_sandbox, tmp_path):
    result = run(fresh_sandbox, tmp_path, "inspect_users", detail="everyone")
    assert result.outcome == "no-op", result.reason
    assert "Inspected 2,000 users" in result.reason
    by_endpoint = fresh_sandbox.control.stats()["by_endpoint"]
    assert not any(key.startswith("GET /api/v2/users?") or key == "GET /api/v2/users" for key in by_endpoint)
    assert any("incremental/users/cursor" in key for key in by_endpoint), by_endpoint
    html = result.html.read_text()
    assert "reads 2,000 users through the incremental user export: about 2 requests" in html
    assert html.index("incremental user export: about") < html.index(
        "users: 2,000"
    )  # estimate, then progress
