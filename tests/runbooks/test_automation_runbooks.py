"""deactivate/delete/restore automation and api_request, run as real notebooks against the sandbox."""

from __future__ import annotations

from tests.runbooks.support import APPLY, api, assert_no_secret, audit_log, run, writes_seen


def test_deactivate_dry_run_changes_nothing(fresh_sandbox, tmp_path):
    before = audit_log(fresh_sandbox)
    fresh_sandbox.control.reset_stats()
    result = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345)
    assert result.outcome == "planned", result.reason
    assert writes_seen(fresh_sandbox) == 0
    assert audit_log(fresh_sandbox) == before
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12345").json()["automation"]["active"] is True
    assert result.summary["changes"][0]["status"] == "planned"
    assert any(".snapshot-automation-12345.json" in str(p) for p in result.side_files)


def test_deactivate_applies_exactly_the_plan_then_is_a_no_op(fresh_sandbox, tmp_path):
    other_before = api(fresh_sandbox, "GET", "/api/v2/automations/12348").json()["automation"]
    is_update = lambda e: e["source_id"] == 12345 and e["action"] == "update"  # noqa: E731
    updates_before = sum(map(is_update, audit_log(fresh_sandbox)))
    first = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345, **APPLY)
    assert first.outcome == "applied", first.reason
    automation = api(fresh_sandbox, "GET", "/api/v2/automations/12345").json()["automation"]
    assert automation["active"] is False
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12348").json()["automation"] == other_before
    change = first.summary["changes"][0]
    assert (change["field"], change["before"], change["after"], change["status"]) == (
        "active",
        True,
        False,
        "verified",
    )
    assert first.summary["request_ids"] and first.summary["audit_log_ids"]
    updates = [e for e in audit_log(fresh_sandbox) if e["source_id"] == 12345 and e["action"] == "update"]
    assert len(updates) == updates_before + 1

    fresh_sandbox.control.reset_stats()
    second = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345, **APPLY)
    assert second.outcome == "no-op", second.reason
    assert writes_seen(fresh_sandbox) == 0
    assert second.exit_code == 0

    rollback = run(
        fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345, active=True, **APPLY
    )
    assert rollback.outcome == "applied"
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12345").json()["automation"]["active"] is True


def test_unknown_automation_fails_clearly_and_changes_nothing(fresh_sandbox, tmp_path):
    before = audit_log(fresh_sandbox)
    result = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=999999, **APPLY)
    assert result.outcome == "failed"
    assert "Automation 999999 was not found" in result.reason and "404" in result.reason
    assert result.exit_code == 1
    assert audit_log(fresh_sandbox) == before


def test_missing_or_self_approval_is_refused(fresh_sandbox, tmp_path):
    before = audit_log(fresh_sandbox)
    missing = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345, dry_run=False)
    assert missing.outcome == "refused"
    assert "access_request_url is missing" in missing.reason and "approved_by is missing" in missing.reason
    self_approved = run(
        fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345,
        **{**APPLY, "approved_by": "ada.admin"},
    )  # fmt: skip
    assert self_approved.outcome == "refused"
    assert "operator" in self_approved.reason
    not_https = run(
        fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345,
        **{**APPLY, "access_request_url": "http://example.com/issue/1"},
    )  # fmt: skip
    assert not_https.outcome == "refused" and "https" in not_https.reason
    assert audit_log(fresh_sandbox) == before
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12345").json()["automation"]["active"] is True


def test_delete_refuses_active_then_deletes_inactive_and_restores_from_its_record(fresh_sandbox, tmp_path):
    active = run(fresh_sandbox, tmp_path, "delete_automation", automation_id=12345, **APPLY)
    assert active.outcome == "refused" and "deactivate" in active.reason
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12345").status_code == 200

    original = api(fresh_sandbox, "GET", "/api/v2/automations/12349").json()["automation"]
    deleted = run(fresh_sandbox, tmp_path, "delete_automation", automation_id=12349, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    assert api(fresh_sandbox, "GET", "/api/v2/automations/12349").status_code == 404
    again = run(fresh_sandbox, tmp_path, "delete_automation", automation_id=12349, **APPLY)
    assert again.outcome == "no-op", again.reason

    restored = run(fresh_sandbox, tmp_path, "restore_automation", snapshot_path=str(deleted.ipynb), **APPLY)
    assert restored.outcome == "applied", restored.reason
    new_id = restored.summary["facts"]["automation_id"]
    assert new_id != 12349
    copy = api(fresh_sandbox, "GET", f"/api/v2/automations/{new_id}").json()["automation"]
    for field in ("title", "active", "conditions", "actions"):
        assert copy[field] == original[field]
    twice = run(fresh_sandbox, tmp_path, "restore_automation", snapshot_path=str(deleted.ipynb), **APPLY)
    assert twice.outcome == "no-op"
    titles = [a["title"] for a in api(fresh_sandbox, "GET", "/api/v2/automations").json()["automations"]]
    assert titles.count(original["title"]) == 1


def test_api_request_get_put_and_bad_body(fresh_sandbox, tmp_path):
    get = run(fresh_sandbox, tmp_path, "api_request", path="/api/v2/automations/12345")
    assert get.outcome == "no-op"
    body = '{"automation": {"title": "Renamed by a runbook"}}'
    planned = run(
        fresh_sandbox, tmp_path, "api_request", method="PUT", path="/api/v2/automations/12350", body=body
    )
    assert planned.outcome == "planned"
    applied = run(
        fresh_sandbox,
        tmp_path,
        "api_request",
        method="PUT",
        path="/api/v2/automations/12350",
        body=body,
        **APPLY,
    )
    assert applied.outcome == "applied", applied.reason
    assert (
        api(fresh_sandbox, "GET", "/api/v2/automations/12350").json()["automation"]["title"]
        == "Renamed by a runbook"
    )
    (change,) = applied.index_entry["changes"]  # field by field (first-use F11), read back
    assert change["field"] == "automation.title" and change["after"] == "Renamed by a runbook"
    assert change["before"] not in ("", None) and "{" not in str(change["before"])
    assert change["status"] == "verified"
    assert "1 change applied and verified by reading it back." in applied.reason
    again = run(
        fresh_sandbox,
        tmp_path,
        "api_request",
        method="PUT",
        path="/api/v2/automations/12350",
        body=body,
        **APPLY,
    )
    assert again.outcome == "no-op"
    before = audit_log(fresh_sandbox)
    bad = run(fresh_sandbox, tmp_path, "api_request", method="PUT", path="/api/v2/automations/12350",
              body="{not json", **APPLY)  # fmt: skip
    assert bad.outcome == "refused" and "not valid JSON" in bad.reason
    outside = run(fresh_sandbox, tmp_path, "api_request", path="https://evil.example.com/api/v2/users")
    assert outside.outcome == "refused"
    assert audit_log(fresh_sandbox) == before


def test_records_hold_no_configured_credential(fresh_sandbox, tmp_path):
    run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=12345, **APPLY)
    run(fresh_sandbox, tmp_path, "api_request", path="/api/v2/users/me")
    assert any(p.suffix == ".html" for p in tmp_path.iterdir())
    for name in ("ZENDESK_OAUTH_TOKEN", "ZENDESK_API_TOKEN", "ZENDESK_CLIENT_SECRET", "ZENDESK_PASSWORD"):
        assert_no_secret(tmp_path, fresh_sandbox.env[name])


def test_api_request_delete_then_again_is_a_no_op(fresh_sandbox, tmp_path):
    path = "/api/v2/automations/12351"
    deleted = run(fresh_sandbox, tmp_path, "api_request", method="DELETE", path=path, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    assert api(fresh_sandbox, "GET", path).status_code == 404
    again = run(fresh_sandbox, tmp_path, "api_request", method="DELETE", path=path, **APPLY)
    assert again.outcome == "no-op", again.reason


def test_restore_refuses_when_a_different_automation_has_the_saved_title(fresh_sandbox, tmp_path):
    """security review B71: a title alone is not a restored automation; nothing may be created."""
    original = api(fresh_sandbox, "GET", "/api/v2/automations/12349").json()["automation"]
    deleted = run(fresh_sandbox, tmp_path, "delete_automation", automation_id=12349, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    namesake = {
        "title": original["title"],
        "active": False,
        "conditions": {
            "all": [*original["conditions"]["all"], {"field": "status", "operator": "is", "value": "open"}],
            "any": original["conditions"].get("any", []),
        },
        "actions": original["actions"],
    }
    created = api(fresh_sandbox, "POST", "/api/v2/automations", json={"automation": namesake})
    assert created.status_code == 201, created.text
    before = api(fresh_sandbox, "GET", "/api/v2/automations").json()["automations"]

    restored = run(fresh_sandbox, tmp_path, "restore_automation", snapshot_path=str(deleted.ipynb), **APPLY)

    assert restored.outcome == "refused", restored.reason
    assert str(created.json()["automation"]["id"]) in restored.reason
    assert api(fresh_sandbox, "GET", "/api/v2/automations").json()["automations"] == before


def test_api_request_refuses_to_mint_a_credential_and_sends_nothing(fresh_sandbox, tmp_path):
    """A POST /api/v2/oauth/tokens through the generic runbook would put a new token into the record and
    skip create_token's approved scopes: it is refused before any request, approval or not."""

    def tokens() -> list[tuple]:  # `used_at` moves with every run; what a token is and can do does not
        listed = api(fresh_sandbox, "GET", "/api/v2/oauth/tokens").json()["tokens"]
        return sorted((t["id"], t["client_id"], tuple(t["scopes"])) for t in listed)

    tokens_before = tokens()
    clients_before = api(fresh_sandbox, "GET", "/api/v2/oauth/clients").json()["clients"]
    client_id = clients_before[0]["id"]
    fresh_sandbox.control.reset_stats()
    for method, path, body in [
        ("POST", "/api/v2/oauth/tokens", f'{{"token": {{"client_id": {client_id}, "scopes": ["write"]}}}}'),
        ("PUT", f"/api/v2/oauth/clients/{client_id}/generate_secret", "{}"),
    ]:
        refused = run(fresh_sandbox, tmp_path, "api_request", method=method, path=path, body=body, **APPLY)
        assert refused.outcome == "refused", refused.reason
        assert "credential change" in refused.reason and "create_token" in refused.reason, refused.reason
    assert writes_seen(fresh_sandbox) == 0
    assert tokens() == tokens_before
    assert api(fresh_sandbox, "GET", "/api/v2/oauth/clients").json()["clients"] == clients_before
