"""create_token, revoke_token, revoke_integration and audit_credentials against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import httpx
import pytest

from tests.runbooks.support import APPLY, REQUEST_URL, api, assert_no_secret, audit_log, run
from zdlib.runner.run import UsageError
from zdlib.sandbox import seed

REQUEST = REQUEST_URL  # the sandbox GitLab's approved #4242, filed by alan.agent
REQUESTER = seed.AGENT_EMAIL


@pytest.fixture
def handoff(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "handoff"
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(folder))
    return folder


def create(sandbox, records, **extra):
    params = {**APPLY, "access_request_url": REQUEST, "requester_email": REQUESTER, "scopes": "users:read"}
    params.update(extra)
    return run(sandbox, records, "create_token", **params)


def oauth_state(sandbox) -> tuple[list[dict], list[dict]]:
    clients = api(sandbox, "GET", "/api/v2/oauth/clients").json()["clients"]
    tokens = api(sandbox, "GET", "/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
    return clients, tokens


def test_create_oauth_token_once_hand_off_and_authenticate(fresh_sandbox, tmp_path, handoff):
    records = tmp_path / "records"
    clients_before, tokens_before = oauth_state(fresh_sandbox)
    first = create(fresh_sandbox, records)
    assert first.outcome == "applied", first.reason
    clients, tokens = oauth_state(fresh_sandbox)
    assert len(clients) == len(clients_before) + 1 and len(tokens) == len(tokens_before) + 1
    new_client = next(c for c in clients if c["description"] == REQUEST)
    assert new_client["user_id"] == seed.AGENT_ID

    files = list(handoff.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert not str(files[0]).startswith(str(records))
    secrets = json.loads(files[0].read_text())["secrets"]
    access_token = secrets["access_token"]
    me = httpx.get(
        fresh_sandbox.url + "/api/v2/users/me", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert me.json()["user"]["id"] == seed.AGENT_ID
    for value in secrets.values():
        assert_no_secret(records, value)
    assert first.summary["facts"]["fingerprints"]["access_token"].startswith("sha256:")

    second = create(fresh_sandbox, records)
    assert second.outcome == "no-op", second.reason
    clients_after, tokens_after = oauth_state(fresh_sandbox)
    assert clients_after == clients and len(tokens_after) == len(tokens)
    assert len(list(handoff.iterdir())) == 1

    other_scopes = create(fresh_sandbox, records, scopes="users:read tickets:read")
    assert other_scopes.outcome == "refused" and "revoke it first" in other_scopes.reason
    assert len(oauth_state(fresh_sandbox)[1]) == len(tokens)

    dry = run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST,
              handoff_file=str(files[0]))  # fmt: skip
    assert dry.outcome == "planned", dry.reason
    revoked = run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST,
                  handoff_file=str(files[0]), **APPLY)  # fmt: skip
    assert revoked.outcome == "applied", revoked.reason
    after = httpx.get(
        fresh_sandbox.url + "/api/v2/users/count", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert after.status_code == 401
    again = run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST, **APPLY)
    assert again.outcome == "no-op", again.reason


def test_create_refuses_bad_requests_without_changes(fresh_sandbox, tmp_path, handoff):
    before = audit_log(fresh_sandbox)
    unknown = create(fresh_sandbox, tmp_path / "records", requester_email="nobody@example.com")
    assert unknown.outcome == "failed" and "nobody@example.com" in unknown.reason
    suspended = create(
        fresh_sandbox, tmp_path / "records", requester_email=f"sid.suspended@{seed.EMAIL_DOMAIN}"
    )
    assert suspended.outcome == "refused" and "suspended" in suspended.reason
    bad_scope = create(fresh_sandbox, tmp_path / "records", scopes="everything")
    assert bad_scope.outcome == "refused" and "Unknown scope" in bad_scope.reason
    bad_expiry = create(fresh_sandbox, tmp_path / "records", expires_in=10)
    assert bad_expiry.outcome == "refused" and "expires_in" in bad_expiry.reason
    assert audit_log(fresh_sandbox) == before
    assert not handoff.exists() or not list(handoff.iterdir())


def test_api_token_creation_follows_zendesk_timeline(fresh_sandbox, tmp_path, handoff):
    records = tmp_path / "records"
    tokens_before = api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]
    refused = create(fresh_sandbox, records, kind="api_token")
    assert refused.outcome == "refused"
    assert "2026-10-27" in refused.reason and "2027-04-30" in refused.reason and "oauth" in refused.reason
    assert api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"] == tokens_before

    fresh_sandbox.control.set_clock(as_of="2026-10-01")
    created = create(fresh_sandbox, records, kind="api_token")
    assert created.outcome == "applied", created.reason
    tokens = api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]
    known = {t["id"] for t in tokens_before}
    assert [t["description"] for t in tokens if t["id"] not in known] == [REQUEST]
    handoff_file = next(handoff.iterdir())
    secret = json.loads(handoff_file.read_text())["secrets"]["api_token"]
    assert_no_secret(records, secret)
    me = fresh_sandbox.url + "/api/v2/users/me"
    assert httpx.get(me, auth=(f"{REQUESTER}/token", secret)).json()["user"]["id"] == seed.AGENT_ID

    revoked = run(
        fresh_sandbox,
        records,
        "revoke_token",
        issued_for_url=REQUEST,
        handoff_file=str(handoff_file),
        **APPLY,
    )
    assert revoked.outcome == "applied", revoked.reason
    assert httpx.get(me, auth=(f"{REQUESTER}/token", secret)).status_code == 401


def test_revoke_api_token_deactivate_then_delete(fresh_sandbox, tmp_path):
    unknown = run(fresh_sandbox, tmp_path, "revoke_token", token_id=424242, **APPLY)
    assert unknown.outcome == "failed" and "424242" in unknown.reason
    deactivated = run(fresh_sandbox, tmp_path, "revoke_token", token_id=3, **APPLY)
    assert deactivated.outcome == "applied", deactivated.reason
    listed = {t["id"]: t for t in api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]}
    assert listed[3]["active"] is False
    again = run(fresh_sandbox, tmp_path, "revoke_token", token_id=3, **APPLY)
    assert again.outcome == "no-op"
    deleted = run(fresh_sandbox, tmp_path, "revoke_token", token_id=3, delete=True, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    assert 3 not in {t["id"] for t in api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]}
    fresh_sandbox.control.set_clock(advance_days=1)
    next_day = run(fresh_sandbox, tmp_path, "revoke_token", token_id=3, delete=True, **APPLY)
    assert next_day.outcome == "no-op", next_day.reason


def test_revoke_without_a_target_lists_candidates_or_refuses(fresh_sandbox, tmp_path):
    listing = run(fresh_sandbox, tmp_path, "revoke_token")
    assert listing.outcome == "planned" and not listing.summary["changes"]
    applied = run(fresh_sandbox, tmp_path, "revoke_token", **APPLY)
    assert applied.outcome == "refused" and "token_id" in applied.reason


def test_revoke_integration_revokes_every_token_and_deletes_only_when_asked(fresh_sandbox, tmp_path):
    client_id = 2002
    tokens = [t for t in oauth_state(fresh_sandbox)[1] if t["client_id"] == client_id]
    assert tokens
    kept = run(fresh_sandbox, tmp_path, "revoke_integration", client_id=client_id, **APPLY)
    assert kept.outcome == "applied", kept.reason
    assert not [t for t in oauth_state(fresh_sandbox)[1] if t["client_id"] == client_id]
    assert api(fresh_sandbox, "GET", f"/api/v2/oauth/clients/{client_id}").status_code == 200
    gone = run(
        fresh_sandbox, tmp_path, "revoke_integration", client_id=client_id, delete_client=True, **APPLY
    )
    assert gone.outcome == "applied", gone.reason
    assert api(fresh_sandbox, "GET", f"/api/v2/oauth/clients/{client_id}").status_code == 404


def test_audit_flags_find_exactly_the_seeded_credentials(fresh_sandbox, tmp_path):
    result = run(fresh_sandbox, tmp_path, "audit_credentials")
    assert result.outcome == "no-op", result.reason
    findings = result.summary["facts"]["findings"]
    assert sorted(findings["API tokens without access request"]) == sorted(
        seed.API_TOKEN_IDS_WITHOUT_ACCESS_REQUEST
    )
    assert sorted(findings["API tokens unused 30+ days"]) == sorted(seed.API_TOKEN_IDS_IDLE_30_DAYS)
    assert sorted(findings["API tokens still live"]) == sorted(seed.API_TOKEN_IDS_ACTIVE_AFTER_RULE)
    assert sorted(findings["OAuth tokens with broad scopes"]) == sorted(seed.OAUTH_TOKEN_IDS_BROAD_SCOPES)
    assert sorted(findings["OAuth tokens that never expire"]) == sorted(seed.OAUTH_TOKEN_IDS_NEVER_EXPIRING)
    assert sorted(findings["OAuth clients without tokens"]) == sorted(seed.OAUTH_CLIENT_IDS_WITHOUT_TOKENS)
    assert any(str(p).endswith(".migration.csv") for p in result.side_files)


def test_op_hand_off_goes_to_1password(fresh_sandbox, tmp_path, handoff, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "op-calls.jsonl"
    fake_op = bin_dir / "op"
    fake_op.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "call = {'argv': sys.argv[1:], 'stdin': sys.stdin.read()}\n"
        f"open({str(log)!r}, 'a').write(json.dumps(call) + '\\n')\n"
        "print(json.dumps({'id': 'item-123'}))\n"
    )
    fake_op.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    records = tmp_path / "records"
    result = create(fresh_sandbox, records, deliver_to="1password:Support Ops")
    assert result.outcome == "applied", result.reason
    call = json.loads(log.read_text().splitlines()[0])
    assert call["argv"][:4] == ["item", "create", "--vault", "Support Ops"]
    fields = {f["label"]: f["value"] for f in json.loads(call["stdin"])["fields"]}
    me = httpx.get(
        fresh_sandbox.url + "/api/v2/users/me", headers={"Authorization": f"Bearer {fields['access_token']}"}
    )
    assert me.json()["user"]["id"] == seed.AGENT_ID
    assert "item-123" in result.summary["facts"]["handoff"]
    assert not handoff.exists() or not list(handoff.iterdir())
    assert_no_secret(records, fields["access_token"])
    assert_no_secret(records, fields["client_secret"])


def test_secret_looking_parameters_are_refused_before_anything_runs(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    with pytest.raises(UsageError) as refused:
        run(fresh_sandbox, records, "api_request", path="/api/v2/users/me",
            body=fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"])  # fmt: skip
    assert fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"] not in str(refused.value)
    with pytest.raises(UsageError):
        run(fresh_sandbox, records, "create_token", access_request_url=REQUEST, requester_email=REQUESTER,
            api_token="x")  # fmt: skip
    with pytest.raises(UsageError, match="secret field 'password'"):
        run(fresh_sandbox, records, "api_request", method="POST", path="/api/v2/users",
            body='{"user": {"name": "N", "password": "Tr0ub4dor&3horse!"}}')  # fmt: skip
    assert not records.exists() or not any(records.iterdir())
