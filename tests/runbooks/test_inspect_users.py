"""inspect_users with a search larger than Zendesk's 1,000-result limit (fidelity.md K1; runbooks.md)."""

from __future__ import annotations

from tests.runbooks.support import run


def test_a_search_over_1000_users_inspects_1000_and_says_so(fresh_sandbox, tmp_path):
    result = run(fresh_sandbox, tmp_path, "inspect_users", query="email:*@example.com")
    assert result.outcome == "no-op", result.reason
    assert "Inspected 1,000 users (the first 1,000 matches" in result.reason
    html = result.html.read_text()
    assert "at most 1,000 results" in html and "1,989" in html
