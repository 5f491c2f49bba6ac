"""Audit-log date filters in the form Zendesk's guide sends (issue 10 item 4).

Evidence: Zendesk's guide "Using the audit logs API" (developer.zendesk.com documentation/ticketing/
using-the-zendesk-api/audit-logs, cited in zendesk-2026-12-updates.md §3.2) sends `filter[created_at][]`
twice, start then end; the OAS (ListAuditLogs, `filter[created_at]`) says "you must specify
`filter[created_at]` twice ... first with the start time and again with an end time".
"""

from __future__ import annotations

import httpx

from zdlib import Client
from zdlib.config import load_settings


def test_the_array_form_bounds_created_at(api):
    every = api.get("/api/v2/audit_logs").json()["audit_logs"]
    stamps = sorted(r["created_at"] for r in every)
    start, end = stamps[1], stamps[-2]
    window = api.get(
        "/api/v2/audit_logs", params=[("filter[created_at][]", start), ("filter[created_at][]", end)]
    )
    got = [r["created_at"] for r in window.json()["audit_logs"]]
    assert window.status_code == 200 and got
    assert all(start <= s <= end for s in got) and len(got) == sum(start <= s <= end for s in stamps)


def test_the_form_without_brackets_is_refused_as_rails_would_read_one_value(api):
    answer = api.get(
        "/api/v2/audit_logs",
        params=[
            ("filter[created_at]", "2026-01-01T00:00:00Z"),
            ("filter[created_at]", "2026-12-01T00:00:00Z"),
        ],
    )
    assert answer.status_code == 400 and "filter[created_at][]" in answer.json()["description"]
    one = api.get("/api/v2/audit_logs", params={"filter[created_at][]": "2026-01-01T00:00:00Z"})
    assert one.status_code == 400


def test_zdlib_sends_the_guides_form():
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"audit_logs": [], "meta": {"has_more": False}, "links": {}})

    settings = load_settings(
        environ={"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "a-real-looking-Tok3n" * 3}
    )
    with Client(settings, transport=httpx.MockTransport(handler)) as zd:
        list(zd.audit_logs.list(since="2026-11-01T00:00:00Z", until="2026-11-28T00:00:00Z"))
    assert seen[0].params.get_list("filter[created_at][]") == ["2026-11-01T00:00:00Z", "2026-11-28T00:00:00Z"]
    assert "filter[created_at]" not in seen[0].params


def test_zdlib_and_the_sandbox_agree(fresh_sandbox):
    with Client(load_settings(environ=fresh_sandbox.env)) as zd:
        every = list(zd.audit_logs.list())
        recent = list(zd.audit_logs.list(since=min(r["created_at"] for r in every)))
    assert len(recent) == len(every) > 0
