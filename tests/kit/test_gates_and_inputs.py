"""Unit tests of the kit's pure parts: approval, inputs, timeline, flags, census, snapshots, hand-off."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from zdlib.redact import redact_data
from zdlib.runbook import approval_problems
from zdlib.runbook import credentials as cred
from zdlib.runbook.census import UserCensus, list_users
from zdlib.runbook.changes import Change
from zdlib.runbook.files import register_secret
from zdlib.runbook.handoff import hand_off, parse_destination, read_handoff_file
from zdlib.runbook.issuing import client_identifier, requester_problems
from zdlib.runbook.requests import RequestInputError, changed_paths, field_side, fields_label, parse_request
from zdlib.runbook.snapshots import SnapshotError, load_snapshot

OPERATOR = {"name": "Ada Admin", "email": "ada.admin@example.com"}
URL = "https://gitlab.com/x/access-requests/-/issues/1"


def test_complete_approval_passes():
    assert approval_problems(URL, "Maria Manager", "Sam Security", OPERATOR) == []


@pytest.mark.parametrize(
    ("url", "approver", "reviewer", "expected"),
    [
        ("", "M", "S", "access_request_url is missing"),
        ("http://gitlab.com/x", "M", "S", "must start with https://"),
        ("https://", "M", "S", "no real host name"),
        (URL, "", "S", "approved_by is missing"),
        (URL, "M", "", "reviewed_by is missing"),
        (URL, "Maria", "maria", "the same person"),
        (URL, "ada.admin@example.com", "S", "approved_by is the operator"),
        (URL, "Ada", "S", "approved_by is the operator"),  # security re-test 2026-12-04 L8: a name's prefix
        (URL, "admin", "S", "approved_by is the operator"),
        (URL, "M", "Ada Admin", "reviewed_by is the operator"),
        (URL, "M", "ada.admin", "reviewed_by is the operator"),
    ],
)
def test_incomplete_approval_names_the_problem(url, approver, reviewer, expected):
    problems = approval_problems(url, approver, reviewer, OPERATOR)
    assert any(expected in p for p in problems), problems


def test_change_is_noop_when_before_equals_after():
    assert Change("automation", 1, "active", False, False).is_noop
    assert not Change("automation", 1, "active", True, False).is_noop


@pytest.mark.parametrize(
    ("today", "refused"),
    [(date(2026, 10, 26), False), (date(2026, 10, 27), True), (date(2027, 5, 1), True)],
)
def test_api_token_creation_follows_the_timeline(today, refused):
    reason = cred.api_token_creation_refusal(today)
    assert (reason is not None) is refused
    if reason:
        assert "2026-10-27" in reason and "kind='oauth'" in reason and str(today) in reason


def test_scopes_and_expiry_are_checked():
    assert cred.parse_scopes("read, users:write") == ["read", "users:write"]
    for bad in ("", "everything", "users:delete", "nothing:read"):
        with pytest.raises(ValueError):
            cred.parse_scopes(bad)
    assert cred.check_expires_in(0) is None
    assert cred.check_expires_in(3600) == 3600
    for bad in (300, 172_800, -1):
        with pytest.raises(ValueError, match="expires_in"):
            cred.check_expires_in(bad)
    assert cred.is_broad(["read", "write"]) and not cred.is_broad(["users:read", "users:write"])


def test_mentions_matches_the_url_exactly():
    assert cred.mentions(f"Reporting {URL}", URL)
    assert cred.mentions(URL + "/", URL)
    assert not cred.mentions(URL + "0", URL)
    assert not cred.mentions(None, URL)


def test_credential_flags():
    flags = cred.CredentialFlags(date(2026, 11, 28))
    tokens = flags.api_tokens(
        [
            {"id": 1, "description": URL, "active": True, "created_at": "2025-01-01T00:00:00Z",
             "last_used": "2026-11-27T00:00:00Z"},
            {"id": 2, "description": "jenkins", "active": True, "created_at": "2025-01-01T00:00:00Z",
             "last_used": "2026-09-01T00:00:00Z"},
        ]
    )  # fmt: skip
    assert tokens["no_access_request"].tolist() == [False, True]
    assert tokens["unused_30_days"].tolist() == [False, True]
    assert tokens["zendesk_deactivates_on"].tolist() == [date(2026, 12, 27), date(2026, 10, 1)]
    assert tokens["days_left"].tolist() == [153, 153]
    oauth = flags.oauth_tokens([{"id": 5, "scopes": ["write"], "expires_at": None}])
    assert oauth.loc[0, "broad_scopes"] and oauth.loc[0, "never_expires"]
    clients = flags.oauth_clients([{"id": 7, "description": ""}], [])
    assert clients.loc[0, "no_tokens"] and clients.loc[0, "no_access_request"]


def test_parse_request():
    assert parse_request("get", "/api/v2/users/me", "").method == "GET"
    put = parse_request("PUT", "/api/v2/automations/1", '{"automation": {"active": false}}')
    assert put.writes and put.body == {"automation": {"active": False}}
    for method, path, body, message in [
        ("FETCH", "/api/v2/x", "", "not one of"),
        ("GET", "https://evil.example.com/api/v2/x", "", "relative to the instance"),
        ("GET", "/api/v1/x", "", "under /api/v2/"),
        ("GET", "/api/v2/../admin", "", "'..'"),
        ("POST", "/api/v2/%2e%2e/%2e%2e/sandbox/reset", "{}", "'..' segment"),
        ("POST", "/api/v2/%2E%2E/x", "{}", "'..' segment"),
        ("GET", "/api/v2/%252e%252e/x", "", "'..' segment"),
        ("GET", "/api/v2/users/%0a", "", "control character"),
        ("GET", "/api/v2/a%5c..%5cb", "", "backslash"),
        (
            "POST",
            "/api/v2/webhooks",
            '{"webhook": {"authentication": {"data": {"value": "k3y"}}}}',
            "credential",
        ),
        ("POST", "/api/v2/webhooks", '{"webhook": {"custom_headers": {"X-Api-Key": "k3y"}}}', "credential"),
        ("PUT", "/api/v2/users/1", '{"user": {"password": "hunter22"}}', "credential"),
        ("PUT", "/api/v2/automations/1", "{not json", "not valid JSON"),
        ("PUT", "/api/v2/automations/1", "", "needs a JSON body"),
        ("DELETE", "/api/v2/automations/1", "{}", "takes no body"),
        # credential changes have runbooks of their own (zdlib.runbook.requests.CREDENTIAL_ROUTES)
        ("POST", "/api/v2/oauth/tokens", '{"token": {"client_id": 1, "scopes": ["write"]}}', "create_token"),
        ("POST", "/api/v2/oauth/tokens.json", '{"token": {"client_id": 1}}', "OAuth access token"),
        ("POST", "/api/v2//OAuth/Tokens", '{"token": {"client_id": 1}}', "OAuth access token"),
        ("POST", "/api/v2/oauth%2Ftokens", '{"token": {"client_id": 1}}', "OAuth access token"),
        ("DELETE", "/api/v2/oauth/tokens/current", "", "revoke_token or revoke_integration"),
        ("POST", "/api/v2/oauth/clients", '{"client": {"name": "x", "identifier": "x"}}', "OAuth client"),
        ("PUT", "/api/v2/oauth/clients/7", '{"client": {"redirect_uri": ["https://x"]}}', "OAuth client"),
        ("PUT", "/api/v2/oauth/clients/7/generate_secret", "{}", "client's secret"),
        ("PUT", "/api/v2/oauth/global_clients/7", '{"global_client": {"name": "x"}}', "OAuth client"),
        ("POST", "/api/v2/api_tokens", '{"token": {"description": "x"}}', "API token"),
        ("PUT", "/api/v2/users/5/password", '{"password": "x"}', "user's password"),
        ("GET", "/api/v2/users/me/session/renew", "", "renewed session token"),
        ("GET", "/api/v2/users/me/session/renew.json?x=1", "", "answers with a new credential"),
        ("GET", "/api/v2/users/ME/session%2Frenew/", "", "renewed session token"),
    ]:
        with pytest.raises(RequestInputError, match=message):
            parse_request(method, path, body)


def test_reading_credentials_is_still_a_request_like_any_other():
    for path in (
        "/api/v2/oauth/tokens",
        "/api/v2/oauth/clients/7",
        "/api/v2/users/5/password/requirements",
        "/api/v2/users/me/session",
    ):
        assert parse_request("GET", path, "").method == "GET"
    assert parse_request("PUT", "/api/v2/users/5", '{"user": {"name": "x"}}').writes  # not a credential


def test_a_put_is_planned_field_by_field_and_only_what_it_changes():
    """First-use report F11: `title: old -> new`, never the whole object cut off."""
    current = {"automation": {"title": "A", "active": True, "conditions": {"all": []}}}
    assert changed_paths(current, {"automation": {"title": "A"}}) == []
    assert changed_paths(current, {"automation": {"title": "B", "active": True}}) == ["automation.title"]
    assert changed_paths(current, {"automation": {"missing": 1}}) == ["automation.missing"]
    paths = changed_paths(current, {"automation": {"title": "B", "active": False}})
    assert fields_label(paths) == "automation.title, automation.active"
    assert field_side(current, ["automation.title"]) == "A"
    assert field_side(current, paths) == {"automation.title": "A", "automation.active": True}
    assert field_side({"user": {"password": "hunter2"}}, ["user.password"]) != "hunter2"  # redacted


def test_census_counts_and_keeps_only_flagged_rows():
    now = datetime(2026, 11, 28, tzinfo=UTC)
    census = UserCensus(inactive_days=90, now=now, keep_rows=2)
    users = [
        {"id": 1, "role": "admin", "verified": True, "last_login_at": "2026-11-27T00:00:00Z"},
        {"id": 2, "role": "agent", "role_type": 1, "verified": True, "last_login_at": None},
        {
            "id": 3,
            "role": "end-user",
            "verified": False,
            "suspended": True,
            "last_login_at": "2025-01-01T00:00:00Z",
        },
    ] + [{"id": 10 + i, "role": "end-user", "verified": True, "last_login_at": None} for i in range(5)]
    for user in users:
        census.add(user)
    assert census.total == 8
    assert census.roles == {"admin": 1, "light agent": 1, "end-user": 6}
    assert census.flags["never logged in"] == 6 and census.flags["suspended"] == 1
    assert [r["id"] for r in census.admins] == [1] and [r["id"] for r in census.stale_staff] == [2]
    assert census.login_age_series()["never"] == 6


def test_list_users_rejects_unknown_roles():
    with pytest.raises(ValueError, match="not a Zendesk role"):
        list_users(object(), role="superuser")


def test_requester_problems_and_identifier():
    assert requester_problems({"active": True, "verified": True}) == []
    assert len(requester_problems({"active": False, "suspended": True, "verified": False})) == 3
    assert client_identifier(URL).startswith("access_request_") and " " not in client_identifier(URL)


def test_snapshots_load_and_fail_clearly(tmp_path):
    path = tmp_path / "x.snapshot-automation-5.json"
    path.write_text(json.dumps({"id": 5, "title": "T"}))
    assert load_snapshot(str(path), kind="automation")["title"] == "T"
    with pytest.raises(SnapshotError, match="No snapshot file"):
        load_snapshot(str(tmp_path / "missing.json"), kind="automation")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(SnapshotError, match="not a JSON snapshot"):
        load_snapshot(str(tmp_path / "bad.json"), kind="automation")


def test_secrets_are_removed_from_side_files():
    cleaned = redact_data(
        {"client": {"secret": "s3cr3t", "name": "n"}, "tokens": [{"full_token": "x"}], "Password": "p4ss",
         "webhook": {"bearer_token": "b"}, "api_token": {"id": 1, "token": "t"}}
    )  # fmt: skip
    assert cleaned == {
        "client": {"secret": "<redacted>", "name": "n"}, "tokens": [{"full_token": "<redacted>"}],
        "Password": "<redacted>", "webhook": {"bearer_token": "<redacted>"},
        "api_token": {"id": 1, "token": "<redacted>"},
    }  # fmt: skip


def test_hand_off_to_a_private_file_and_registers_the_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    monkeypatch.setenv("ZDLIB_RUN_SECRETS", str(tmp_path / "secrets.jsonl"))
    done = hand_off(
        "zendesk oauth", {"access_token": "tok-very-secret-value"}, "file", {"requester": "a@b.c"}
    )
    saved = tmp_path / "handoff"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o700
    path = next(saved.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and str(path) == done.location
    assert json.loads(path.read_text())["secrets"]["access_token"] == "tok-very-secret-value"
    assert "tok-very-secret-value" not in repr(done)
    assert done.fingerprints["access_token"].startswith("sha256:")
    registered = [json.loads(line) for line in (tmp_path / "secrets.jsonl").read_text().splitlines()]
    assert registered[0]["value"] == "tok-very-secret-value"
    register_secret("ignored", "")


def test_a_relative_handoff_file_is_a_file_in_the_handoff_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    monkeypatch.setenv("ZDLIB_RUN_SECRETS", str(tmp_path / "secrets.jsonl"))
    done = hand_off("zendesk oauth", {"access_token": "tok-relative-secret-1"}, "file", {})
    name = Path(done.location).name
    assert read_handoff_file(done.location)["secrets"]["access_token"] == "tok-relative-secret-1"
    assert read_handoff_file(name)["secrets"]["access_token"] == "tok-relative-secret-1"
    # the same name in the working folder (the kernel's: notebooks/) is not the operator's file
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    (elsewhere / "other.json").write_text(json.dumps({"secrets": {"x": "not-this-one"}}))
    monkeypatch.chdir(elsewhere)
    with pytest.raises(ValueError, match="hand-off folder") as refused:
        read_handoff_file("other.json")
    assert str(tmp_path / "handoff") in str(refused.value) and "absolute path" in str(refused.value)
    with pytest.raises(ValueError, match="does not exist"):
        read_handoff_file(str(tmp_path / "missing.json"))


def test_destinations():
    assert parse_destination("file") == ("file", "")
    assert parse_destination("1password:Support Ops") == ("1password", "Support Ops")
    for bad in ("slack", "1password:", "op"):
        with pytest.raises(ValueError, match="not a destination"):
            parse_destination(bad)
