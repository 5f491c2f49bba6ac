"""`zdlib.campaign.sources` on index lines shaped as `zdlib.runner.publish.index_entry` writes them: only a
run that succeeded and verified its change through the API is evidence; the newest such run wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from zdlib.campaign import sources
from zdlib.campaign.evidence import ClientIssued, RecordLine

INSTANCE = "https://acme.zendesk.com"
REQUEST = "https://gitlab.com/acme/access-requests/-/issues/4251"


def index_line(
    name: str, runbook: str, outcome: str, parameters: dict[str, Any], changes: list[dict[str, Any]], at: str
) -> dict[str, Any]:
    """Every key `index_entry` writes (and `prev_sha256`, which `append_index` adds)."""
    return {
        "name": name,
        "runbook": runbook,
        "version": "2.1.0",
        "target": INSTANCE,
        "parameters": parameters,
        "mode": "apply",
        "operator": "ada@example.com",
        "instance": INSTANCE,
        "sandbox": False,
        "approval": {"approved_by": "maria.manager", "verified": True},
        "auth_kind": "api_token",
        "credential_fingerprint": "sha256:1f2e",
        "started_at": at.replace(":05Z", ":00Z"),
        "finished_at": at,
        "instance_started_at": at.replace(":05Z", ":01Z"),
        "outcome": outcome,
        "reason": "",
        "changes": changes,
        "request_ids": ["req-1"],
        "audit_log_ids": [],
        "records": {"ipynb": f"{name}.ipynb", "html": f"{name}.html", "side_files": []},
        "sha256": "0" * 64,
        "hashes": {f"{name}.ipynb": "1" * 64, f"{name}.html": "2" * 64},
        "secret_hits": 0,
        "zdlib_version": "0.9.0",
        "prev_sha256": "3" * 64,
    }


def issue(name: str, outcome: str, replaces: int, client: Any, status: str, at: str) -> dict[str, Any]:
    """A create_token line: its parameters and the created client's change (as plan_issue records them)."""
    change = {
        "object": "oauth_client",
        "id": client,
        "field": "description",
        "before": None,
        "after": REQUEST,
        "status": status,
        "note": f"owned by ada@example.com; replaces API token {replaces}",
    }
    parameters = {"access_request_url": REQUEST, "kind": "oauth", "replaces_api_token": replaces}
    return index_line(name, "create_token", outcome, parameters, [change], at)


def revoke(
    name: str, outcome: str, token: int, status: str, at: str, kind: str = "api_token"
) -> dict[str, Any]:
    """A revoke_token line: `active` true -> false, verified once the API lists `active: false`."""
    change = {"object": kind, "id": token, "field": "active", "before": True, "after": False}
    change["status"] = status
    return index_line(name, "revoke_token", outcome, {"kind": kind, "token_id": token}, [change], at)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC)


def test_the_newest_successful_issue_that_replaces_the_token_is_the_evidence() -> None:
    lines = [
        issue("dry", "planned", 2, "(new)", "planned", "2026-12-01T09:00:05Z"),
        issue("first", "applied", 2, 100001, "verified", "2026-12-01T10:00:05Z"),
        issue("other", "applied", 3, 100002, "verified", "2026-12-01T11:00:05Z"),
        issue("again", "applied", 2, 100003, "verified", "2026-12-02T10:00:05Z"),
        issue("broke", "failed", 2, 100004, "verified", "2026-12-03T10:00:05Z"),
        issue("stopped", "interrupted", 2, 100005, "verified", "2026-12-03T11:00:05Z"),
        {"name": "damaged", "runbook": "create_token", "outcome": "?", "finished_at": "2026-12-04T00:00:00Z"},
    ]
    found = sources.issued(lines, 2)
    assert found == ClientIssued("again", moment("2026-12-02T10:00:01Z"), client_id=100003)
    assert sources.issued(lines, 3) == ClientIssued("other", moment("2026-12-01T11:00:01Z"), client_id=100002)
    assert sources.issued(lines, 4) is None
    assert sources.issued(lines[:1], 2) is None  # a dry run issued nothing


def test_a_run_that_did_not_succeed_proves_nothing_whatever_its_changes_say() -> None:
    failed = issue("broke", "failed", 2, 100004, "verified", "2026-12-03T10:00:05Z")
    refused = revoke("refused", "refused", 2, "verified", "2026-12-03T10:00:05Z")
    assert sources.issued([failed], 2) is None
    assert sources.deactivation([refused], 2) is None
    assert not sources.succeeded({"outcome": "?"}) and sources.succeeded({"outcome": "no-op"})


def test_the_newest_verified_deactivation_of_this_api_token_is_the_evidence() -> None:
    lines = [
        revoke("asked", "waiting", 2, "waiting", "2026-12-01T10:00:05Z"),
        revoke("seen", "applied", 2, "verified", "2026-12-02T10:00:05Z"),
        revoke("oauth", "applied", 2, "verified", "2026-12-03T10:00:05Z", kind="oauth_token"),
        revoke("token3", "applied", 3, "verified", "2026-12-03T11:00:05Z"),
        revoke("killed", "interrupted", 2, "verified", "2026-12-04T10:00:05Z"),
    ]
    assert sources.deactivation(lines, 2) == RecordLine("seen", moment("2026-12-02T10:00:01Z"))
    assert sources.deactivation(lines, 3) == RecordLine("token3", moment("2026-12-03T11:00:01Z"))
    assert sources.deactivation(lines[:1], 2) is None  # waiting for Admin Center: not verified yet


def test_a_line_without_the_instance_clock_is_dated_when_it_finished() -> None:
    line = issue("old", "applied", 2, 100001, "verified", "2026-12-01T10:00:05Z")
    del line["instance_started_at"]
    assert sources.issued([line], 2) == ClientIssued("old", moment("2026-12-01T10:00:05Z"), client_id=100001)
