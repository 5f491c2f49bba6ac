"""inspect_users beyond Zendesk's 1,000-result search limit, and a stopped export resumed (issue 22).

Zendesk's search returns at most 1,000 results; its search export returns every match in cursor pages of up
to 1,000 (OAS ExportSearchResults); the incremental user export resumes from a cursor (OAS
IncrementalUserExportCursor)."""

from __future__ import annotations

import csv

from tests.runbooks.support import api, run


def test_a_search_over_1000_users_is_read_whole_through_the_search_export(fresh_sandbox, tmp_path):
    query = "email:*@example.com"
    matched = api(fresh_sandbox, "GET", "/api/v2/search/count", params={"query": f"type:user {query}"})
    fresh_sandbox.control.reset_stats()
    result = run(fresh_sandbox, tmp_path, "inspect_users", query=query)
    assert result.outcome == "no-op", result.reason
    assert f"Inspected {matched.json()['count']:,} users;" in result.reason  # 1,989: none left out
    by_endpoint = fresh_sandbox.control.stats()["by_endpoint"]
    exports = sum(n for key, n in by_endpoint.items() if key.startswith("GET /api/v2/search/export"))
    assert exports == 2 and not any("users/search" in key for key in by_endpoint), by_endpoint
    assert "more than Zendesk's search returns" in result.html.read_text()


def test_a_search_within_1000_users_stays_on_users_search(fresh_sandbox, tmp_path):
    fresh_sandbox.control.reset_stats()
    result = run(fresh_sandbox, tmp_path, "inspect_users", query="role:admin")
    assert result.outcome == "no-op", result.reason
    by_endpoint = fresh_sandbox.control.stats()["by_endpoint"]
    assert any("users/search" in key for key in by_endpoint) and not any("export" in k for k in by_endpoint)


def test_a_stopped_export_resumes_from_the_cursor_its_record_names(fresh_sandbox, tmp_path):
    first = run(fresh_sandbox, tmp_path, "inspect_users", detail="everyone", limit=1200, export_csv=True)
    assert first.outcome == "no-op", first.reason
    cursor = first.summary["facts"]["export_cursor"]
    assert cursor and f"resume with resume_cursor={cursor}" in first.reason
    assert f"resume with resume_cursor={cursor}" in first.html.read_text()
    second = run(
        fresh_sandbox, tmp_path, "inspect_users", detail="everyone", resume_cursor=cursor, export_csv=True
    )
    assert second.outcome == "no-op", second.reason
    seen = [ids(result) for result in (first, second)]
    everyone = {
        u["id"]
        for u in api(fresh_sandbox, "GET", "/api/v2/users", params={"page[size]": 100}).json()["users"]
    }
    assert len(seen[1]) < 2000 and min(seen[1]) > min(seen[0])  # it started after the first page
    assert seen[0] | seen[1] >= everyone and len(seen[0] | seen[1]) == 2000  # together: every user


def test_a_resume_cursor_without_the_everyone_export_is_refused_before_anything_is_read(
    fresh_sandbox, tmp_path
):
    for parameters in ({"detail": "staff"}, {"detail": "everyone", "query": "role:admin"}):
        fresh_sandbox.control.reset_stats()
        refused = run(fresh_sandbox, tmp_path, "inspect_users", resume_cursor="abc", **parameters)
        assert refused.outcome == "refused", refused.reason
        assert "use it with detail='everyone' and no query or role" in refused.reason
        assert fresh_sandbox.control.stats()["by_endpoint"] == {"GET /api/v2/users/me": 1}  # the operator


def ids(result) -> set[int]:
    """The user ids a run's CSV next to its record lists."""
    path = next(p for p in result.side_files if p.name.endswith("users.csv"))
    with path.open() as rows:
        return {int(row["id"]) for row in csv.DictReader(rows)}


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
