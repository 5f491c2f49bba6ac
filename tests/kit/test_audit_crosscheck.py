"""The kit's audit-log cross-check: `filter[source_type]` whenever `filter[source_id]`, and only an entry
whose own `source_id` is the object's counts.

Evidence: Zendesk's OpenAPI document, ListAuditLogs: `filter[source_id]` "Requires `filter[source_type]`
to also be set"; AuditLogObject.source_type names "apitoken" among its common values (zendesk-api.md 5.5
and 5.6). Zendesk's behaviour without the type is not documented (migration-research 2.2), so a server
that ignores the id filter is played here by a MockTransport answering unrelated entries first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs

import httpx
import pytest

from zdlib import Client, load_settings
from zdlib.resources.audit_logs import API_TOKEN_SOURCE_TYPES
from zdlib.runbook.plans import common
from zdlib.runbook.run import Run

STARTED = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def entry(entry_id: int, source_type: str, source_id: int, action: str, minutes: int) -> dict:
    stamp = (STARTED + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": entry_id,
        "action": action,
        "source_type": source_type,
        "source_id": source_id,
        "actor_id": 1,
        "created_at": stamp,
    }


class CarelessLog:
    """An audit log that ignores `filter[source_id]` (and the type): newest first, as Zendesk sorts."""

    def __init__(self, *entries: dict) -> None:
        self.entries = sorted(entries, key=lambda e: e["created_at"], reverse=True)
        self.queries: list[dict[str, list[str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        self.queries.append(query)
        wanted = query.get("filter[action]")
        rows = [e for e in self.entries if not wanted or e["action"] in wanted]
        return httpx.Response(200, json={"audit_logs": rows, "meta": {"has_more": False}, "links": {}})


def stub_run(client: Client, seen: list[str]) -> SimpleNamespace:
    """What `Run.audit_entry` reads of a run; `note`/`warn` are captured by the fixture below."""
    run = SimpleNamespace(client=client, instance_started_at=STARTED, audit_log_ids=[])
    run.audit_entry = lambda *args: Run.audit_entry(run, *args)  # type: ignore[arg-type]
    return run


@pytest.fixture
def said(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(
        "zdlib.runbook.run.note", lambda text, **kw: said.append("note: " + text.format(**kw))
    )
    monkeypatch.setattr(
        "zdlib.runbook.run.warn", lambda text, **kw: said.append("warn: " + text.format(**kw))
    )
    return said


def mock_client(log: CarelessLog) -> Client:
    settings = load_settings(
        environ={"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "oauth-kit-test-tok3n"}
    )
    return Client(settings, transport=httpx.MockTransport(log))


def assert_documented_filters(queries: list[dict[str, list[str]]]) -> None:
    for query in queries:
        if "filter[source_id]" in query:
            assert query.get("filter[source_type]"), query


def test_an_unrelated_api_token_entry_is_not_taken_for_the_revoked_one(said) -> None:
    log = CarelessLog(entry(901, "apitoken", 99, "update", 5), entry(902, "user", 3, "update", 4))
    run = stub_run(mock_client(log), said)
    assert common.audit_crosscheck(run, 3, "update", API_TOKEN_SOURCE_TYPES) is None
    assert run.audit_log_ids == [] and said[-1].startswith("warn: No audit log entry (update)")
    assert {q["filter[source_type]"][0] for q in log.queries} == {"apitoken", "api_token"}
    assert all(q["filter[source_id]"] == ["3"] for q in log.queries)


def test_the_api_token_entry_is_found_under_either_spelling(said) -> None:
    log = CarelessLog(entry(901, "apitoken", 99, "destroy", 5), entry(903, "api_token", 3, "destroy", 2))
    run = stub_run(mock_client(log), said)
    found = common.audit_crosscheck(run, 3, "destroy", API_TOKEN_SOURCE_TYPES)
    assert found is not None and found["id"] == 903 and run.audit_log_ids == [903]
    assert_documented_filters(log.queries)


def test_an_oauth_object_is_matched_by_its_id_never_by_another_objects_entry(said) -> None:
    log = CarelessLog(
        entry(911, "oauth_token", 4444, "destroy", 6),  # another token, newest
        entry(912, "user", 3004, "destroy", 5),  # same id, a documented type of another object
        entry(913, "oauth_token", 3004, "destroy", 3),  # the token revoked
        entry(914, "oauth_token", 3004, "destroy", -30),  # before the run: never read
    )
    run = stub_run(mock_client(log), said)
    found = common.audit_crosscheck(run, 3004, "destroy")
    assert found is not None and found["id"] == 913
    assert all("filter[source_id]" not in q for q in log.queries)  # no id without its type


def test_an_oauth_object_without_an_entry_in_the_window_is_reported(said) -> None:
    log = CarelessLog(
        entry(921, "oauth_client", 2002, "update", 1), entry(922, "oauth_client", 2001, "update", -5)
    )
    run = stub_run(mock_client(log), said)
    assert common.audit_crosscheck(run, 2001, "update") is None
    assert said[-1] == "warn: No audit log entry (update) found for object 2001 since the run started."


def test_a_deleted_objects_entry_must_be_about_that_object(said) -> None:
    log = CarelessLog(entry(931, "rule", 555, "destroy", -600), entry(932, "rule", 12345, "destroy", -700))
    run = stub_run(mock_client(log), said)
    assert Run.deletion_entry(run, "rule", 12345)["id"] == 932  # type: ignore[arg-type]
    assert Run.deletion_entry(run, "rule", 777) is None  # type: ignore[arg-type]
    assert_documented_filters(log.queries)


class Spy(httpx.HTTPTransport):
    """The real transport to the sandbox, remembering each query."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[dict[str, list[str]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v2/audit_logs":
            self.queries.append(parse_qs(request.url.query.decode()))
        return super().handle_request(request)


def test_over_the_sandbox_the_cross_check_sends_documented_filters_only(fresh_sandbox, said) -> None:
    spy = Spy()
    with Client(load_settings(environ=fresh_sandbox.env), transport=spy) as client:
        client.users.me()
        started = client.last_server_date
        assert started is not None
        deactivated = fresh_sandbox.control.admin_center_api_token(3, "deactivate")
        assert deactivated
        client.automations.deactivate(12345)  # an unrelated "update" in the same window
        run = stub_run(client, said)
        run.instance_started_at = started
        token = common.audit_crosscheck(run, 3, "update", API_TOKEN_SOURCE_TYPES)
        assert token is not None and (token["source_type"], token["source_id"]) == ("apitoken", 3)
        assert common.audit_crosscheck(run, 3004, "update") is None  # OAuth token 3004 was not changed
        assert common.audit_crosscheck(run, 3003, "create") is None  # created long before the run
    assert spy.queries and any("filter[source_id]" not in q for q in spy.queries)
    assert_documented_filters(spy.queries)
    assert run.audit_log_ids == [token["id"]]
