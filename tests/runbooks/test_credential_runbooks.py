"""create_token, revoke_token, revoke_integration and audit_credentials over real HTTP against the sandbox.

Every handed-off secret is tried after every revocation (a token must get 401, a client secret's grant must
be refused); real secret values are asserted absent from the records, the index, the HTML and stdout.
Evidence: zendesk-2026-12-updates.md 1.1 #7 (a client secret mints any scope), #8 (unknown scope names are
silently dropped), zendesk-api.md 5.5 (no API to deactivate or delete API tokens: Admin Center).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.contract import EXIT_WAITING
from tests.fault_proxy import FaultProxy
from tests.runbooks.support import (
    APPLY,
    NOTEBOOKS,
    REQUEST_URL,
    admin_env,
    api,
    assert_no_secret,
    audit_log,
    run,
)
from zdlib.campaign import sources
from zdlib.record.layout import read_index
from zdlib.runner import run_runbook
from zdlib.runner.run import RunResult, UsageError
from zdlib.sandbox import seed

REQUEST = REQUEST_URL  # the sandbox GitLab's approved #4242, filed by alan.agent
REQUESTER = seed.AGENT_EMAIL


@pytest.fixture
def handoff(tmp_path, monkeypatch) -> Path:
    """The rehearsals' hand-off folder (these runs are on the sandbox); the real one must stay empty."""
    folder = tmp_path / "sandbox-handoff"
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(folder))
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "real-handoff"))
    return folder


def create(sandbox, records, **extra):
    params = {**APPLY, "access_request_url": REQUEST, "requester_email": REQUESTER, "scopes": "users:read"}
    params.update(extra)
    return run(sandbox, records, "create_token", **params)


def oauth_state(sandbox) -> tuple[list[dict], list[dict]]:
    clients = api(sandbox, "GET", "/api/v2/oauth/clients").json()["clients"]
    tokens = api(sandbox, "GET", "/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
    return clients, tokens


def request_client(sandbox) -> dict | None:
    return next((c for c in oauth_state(sandbox)[0] if c["description"] == REQUEST), None)


def live_tokens(sandbox, client_id) -> int:
    return sum(t["client_id"] == client_id for t in oauth_state(sandbox)[1])


def handoffs(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.iterdir())] if folder.exists() else []


def acts_as(sandbox, token: str) -> int | None:
    """The user id a bearer token acts as, or None on 401."""
    me = httpx.get(sandbox.url + "/api/v2/users/me", headers={"Authorization": f"Bearer {token}"})
    return None if me.status_code == 401 else me.json()["user"]["id"]


def mint(sandbox, identifier: str, secret: str, scope: str = "read write") -> httpx.Response:
    """The client-credentials grant a holder of the secret would try (any scope: no ceiling per client)."""
    body = {
        "grant_type": "client_credentials",
        "client_id": identifier,
        "client_secret": secret,
        "scope": scope,
    }
    return httpx.post(sandbox.url + "/oauth/tokens", json=body)


def assert_published_nowhere(records: Path, captured: str, *secrets: str) -> None:
    for value in secrets:
        assert_no_secret(records, value)  # records, index.jsonl and the HTML
        assert value not in captured


def test_token_only_hand_off_once_then_revoked_for_good(fresh_sandbox, tmp_path, handoff, capfd):
    records = tmp_path / "records"
    first = create(fresh_sandbox, records)
    assert first.outcome == "applied", first.reason
    new_client = request_client(fresh_sandbox)
    assert new_client["user_id"] == seed.AGENT_ID
    [handed] = handoffs(handoff)
    [path] = list(handoff.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "4242" in path.name
    assert set(handed["secrets"]) == {"access_token"}  # token only: no client secret leaves
    assert "No client secret is handed over" in first.summary["facts"]["what_it_can_do"]
    assert "Alan Agent, role agent" in handed["what_it_can_do"]
    token = handed["secrets"]["access_token"]
    assert acts_as(fresh_sandbox, token) == seed.AGENT_ID
    assert live_tokens(fresh_sandbox, new_client["id"]) == 1

    again = create(fresh_sandbox, records)
    assert again.outcome == "no-op", again.reason
    assert len(handoffs(handoff)) == 1 and live_tokens(fresh_sandbox, new_client["id"]) == 1

    other = create(fresh_sandbox, records, scopes="users:read tickets:read")
    assert other.outcome == "refused" and "revoke it first" in other.reason

    dry = run(
        fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST, handoff_file=str(path)
    )
    assert dry.outcome == "planned", dry.reason
    assert acts_as(fresh_sandbox, token) == seed.AGENT_ID
    revoked = run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST,
                  handoff_file=str(path), **APPLY)  # fmt: skip
    assert revoked.outcome == "applied", revoked.reason
    assert acts_as(fresh_sandbox, token) is None
    assert live_tokens(fresh_sandbox, new_client["id"]) == 0
    statuses = {(c["object"], c["field"]): c["status"] for c in revoked.summary["changes"]}
    assert statuses == {("oauth_token", "exists"): "verified", ("oauth_client", "secret"): "verified"}
    assert run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST,
               **APPLY).outcome == "no-op"  # fmt: skip
    assert_published_nowhere(records, capfd.readouterr().out, token)


def test_integration_credential_states_its_power_and_is_cut_off(fresh_sandbox, tmp_path, handoff, capfd):
    records = tmp_path / "records"
    issued = create(fresh_sandbox, records, deliver="integration")
    assert issued.outcome == "applied", issued.reason
    [handed] = handoffs(handoff)
    secret, identifier = handed["secrets"]["client_secret"], handed["client_id"]
    power = issued.summary["facts"]["what_it_can_do"]
    assert "can mint tokens with any scope acting as Alan Agent, role agent" in power
    assert "scopes only narrow each token" in handed["what_it_can_do"]
    wider = mint(fresh_sandbox, identifier, secret)  # what the holder can do: any scope
    assert wider.status_code in (200, 201) and wider.json()["scope"] == "read write"
    minted = wider.json()["access_token"]
    client_id = request_client(fresh_sandbox)["id"]
    assert live_tokens(fresh_sandbox, client_id) == 2

    revoked = run(fresh_sandbox, records, "revoke_token", kind="oauth", issued_for_url=REQUEST,
                  handoff_file=str(next(handoff.iterdir())), **APPLY)  # fmt: skip
    assert revoked.outcome == "applied", revoked.reason
    refused = mint(fresh_sandbox, identifier, secret)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert acts_as(fresh_sandbox, handed["secrets"]["access_token"]) is None
    assert acts_as(fresh_sandbox, minted) is None
    assert live_tokens(fresh_sandbox, client_id) == 0

    reissued = create(fresh_sandbox, records, deliver="integration")  # revoked: the re-run issues anew
    assert reissued.outcome == "applied", reissued.reason
    newest = max(handoffs(handoff), key=lambda h: h["secrets"]["client_secret"] != secret)
    new_secret = newest["secrets"]["client_secret"]
    assert new_secret != secret and acts_as(fresh_sandbox, newest["secrets"]["access_token"]) == seed.AGENT_ID

    cut = run(fresh_sandbox, records, "revoke_integration", client_id=client_id, **APPLY)
    assert cut.outcome == "applied", cut.reason
    assert mint(fresh_sandbox, identifier, new_secret).status_code == 401
    assert acts_as(fresh_sandbox, newest["secrets"]["access_token"]) is None
    assert api(fresh_sandbox, "GET", f"/api/v2/oauth/clients/{client_id}").status_code == 200
    gone = run(fresh_sandbox, records, "revoke_integration", client_id=client_id, delete_client=True, **APPLY)
    assert gone.outcome == "applied", gone.reason
    assert api(fresh_sandbox, "GET", f"/api/v2/oauth/clients/{client_id}").status_code == 404
    again = run(
        fresh_sandbox, records, "revoke_integration", client_id=client_id, delete_client=True, **APPLY
    )
    assert again.outcome == "no-op", again.reason  # from our records, not from audit source types
    for value in (secret, new_secret):
        assert mint(fresh_sandbox, identifier, value).status_code == 401
    handed_tokens = (handed["secrets"]["access_token"], newest["secrets"]["access_token"])
    assert_published_nowhere(records, capfd.readouterr().out, secret, new_secret, minted, *handed_tokens)


@pytest.mark.parametrize("runbook", ["revoke_token", "revoke_integration"])
def test_tokens_minted_while_the_revocation_runs_are_revoked_too(
    fresh_sandbox, tmp_path, handoff, capfd, runbook
):
    """The holder of a handed-off client secret mints while the revocation runs (after its plan): the secret
    is cut off first, then every token of the client (listed afresh) is revoked, and none is left."""
    records = tmp_path / "records"
    issued = create(fresh_sandbox, records, deliver="integration")
    assert issued.outcome == "applied", issued.reason
    [handed] = handoffs(handoff)
    secret, identifier = handed["secrets"]["client_secret"], handed["client_id"]
    client_id = request_client(fresh_sandbox)["id"]
    minted: list[str] = []
    with FaultProxy(fresh_sandbox.url) as proxy:
        release = proxy.hold("PUT", f"/api/v2/oauth/clients/{client_id}/generate_secret")
        held = proxy.rules[-1]

        def mint_while_held() -> None:  # after the plan and the approval: the cut-off is on its way
            deadline = time.monotonic() + 120
            while held.times and time.monotonic() < deadline:
                time.sleep(0.05)
            for _ in range(4):
                answer = mint(fresh_sandbox, identifier, secret)
                if answer.status_code in (200, 201):
                    minted.append(answer.json()["access_token"])
            release.set()

        minter = threading.Thread(target=mint_while_held, daemon=True)
        minter.start()
        target = {"kind": "oauth", "issued_for_url": REQUEST} if runbook == "revoke_token" else {}
        params = {**target, "handoff_file": str(next(handoff.iterdir()))}
        if runbook == "revoke_integration":
            params["client_id"] = client_id
        revoked = run_runbook(NOTEBOOKS / f"{runbook}.ipynb", {**params, **APPLY}, records_dir=records,
                              instance_env=proxy.env(admin_env(fresh_sandbox)))  # fmt: skip
        minter.join(10)
    assert len(minted) == 4  # minted with the old secret after the plan was made
    assert revoked.outcome == "applied", revoked.reason
    assert live_tokens(fresh_sandbox, client_id) == 0
    for token in (*minted, handed["secrets"]["access_token"]):
        assert acts_as(fresh_sandbox, token) is None
    refused = mint(fresh_sandbox, identifier, secret)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    tokens = [c for c in revoked.summary["changes"] if c["object"] == "oauth_token"]
    assert len(tokens) == 5 and {c["status"] for c in tokens} == {"verified"}
    assert sum(c["note"] == "minted after the plan" for c in tokens) == 4
    assert_published_nowhere(records, capfd.readouterr().out, secret, *minted)


def test_an_expired_credential_is_issued_anew_on_re_run(fresh_sandbox, tmp_path, handoff, capfd):
    records = tmp_path / "records"
    first = create(fresh_sandbox, records, expires_in=3600)
    assert first.outcome == "applied", first.reason
    client_id = request_client(fresh_sandbox)["id"]
    [old] = [h["secrets"]["access_token"] for h in handoffs(handoff)]
    assert create(fresh_sandbox, records, expires_in=3600).outcome == "no-op"
    fresh_sandbox.control.set_clock(advance_days=0.1)  # 2.4 hours: the one-hour token has expired
    again = create(fresh_sandbox, records, expires_in=3600)
    assert again.outcome == "applied", again.reason
    assert request_client(fresh_sandbox)["id"] == client_id  # the same client, a regenerated secret
    [new] = [h["secrets"]["access_token"] for h in handoffs(handoff) if h["secrets"]["access_token"] != old]
    assert acts_as(fresh_sandbox, new) == seed.AGENT_ID and acts_as(fresh_sandbox, old) is None
    assert_published_nowhere(records, capfd.readouterr().out, old, new)


def test_a_silently_dropped_scope_is_refused_and_undone(fresh_sandbox, tmp_path, handoff):
    # auditlogs is read-only: Zendesk drops `auditlogs:write` and still issues a token (updates.md 1.1 #8).
    result = create(fresh_sandbox, tmp_path / "records", scopes="users:read auditlogs:write")
    assert result.outcome == "refused", result.reason
    assert "granted the scopes 'users:read'" in result.reason
    assert request_client(fresh_sandbox) is None  # the client made for it was deleted again
    assert not handoffs(handoff) and not list(handoff.iterdir())


def test_hand_off_preconditions_come_before_anything_is_created(
    fresh_sandbox, tmp_path, handoff, monkeypatch
):
    records = tmp_path / "records"
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    no_op = create(fresh_sandbox, records, deliver_to="1password:Support Ops")
    assert no_op.outcome == "refused" and "`op` command line tool is not installed" in no_op.reason
    bin_dir = fake_op(tmp_path, whoami_exit=1)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    signed_out = create(fresh_sandbox, records, deliver_to="1password:Support Ops")
    assert signed_out.outcome == "refused" and "not signed in" in signed_out.reason
    handoff.mkdir(exist_ok=True)
    handoff.chmod(0o755)
    shared = create(fresh_sandbox, records)
    assert shared.outcome == "refused" and "chmod 700" in shared.reason
    assert request_client(fresh_sandbox) is None


def test_a_failed_hand_off_leaves_nothing_live_and_the_re_run_issues(
    fresh_sandbox, tmp_path, handoff, monkeypatch
):
    records = tmp_path / "records"
    bin_dir = fake_op(tmp_path, create_exit=1)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    failed = create(fresh_sandbox, records, deliver_to="1password:Support Ops", deliver="integration")
    assert failed.outcome == "failed" and "nothing is live" in failed.reason
    assert request_client(fresh_sandbox) is None
    retried = create(fresh_sandbox, records)
    assert retried.outcome == "applied", retried.reason
    assert len(handoffs(handoff)) == 1


def test_destinations_never_collide(tmp_path, monkeypatch):
    from zdlib.runbook.handoff import prepare_destination

    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "h"))
    first = prepare_destination("file", REQUEST, "oauth")
    second = prepare_destination("file", REQUEST, "oauth")
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert "request-4242" in first.name
    second.release()
    assert not second.path.exists()


def in_process_issue(sandbox, tmp_path, monkeypatch):
    """create_token's plan in this process (so a test can interrupt it), approved, up to the hand-off."""
    from zdlib import runbook as rb
    from zdlib.runbook import plans

    env = {**sandbox.env, "ZENDESK_AUTH": "oauth", "PYTHON_DOTENV_DISABLED": "1",
           "ZDLIB_RECORD_STEM": str(tmp_path / "stem" / "run")}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = rb.start_run("create_token", "test", {"dry_run": False}, target=REQUEST)
    issue = plans.plan_issue(
        session,
        access_request_url=REQUEST,
        requester_email=REQUESTER,
        kind="oauth",
        scopes="users:read",
        expires_in=3600,
        deliver="token",
        deliver_to="file",
    )
    session.plan(issue.changes())
    session.require_approval(REQUEST, "maria.manager", "", "manual")
    issue.prepare()
    return session, issue


def test_an_interrupted_grant_leaves_nothing_live(fresh_sandbox, tmp_path, handoff, monkeypatch):
    """Ctrl-C while the grant is answered: the client made in this run is deleted (its token with it)."""
    from zdlib.resources.oauth_grants import OAuthGrants

    real_grant = OAuthGrants.client_credentials

    def grant_then_interrupt(self, *args, **kwargs):
        real_grant(self, *args, **kwargs)  # Zendesk minted the token; the answer never reaches the run
        raise KeyboardInterrupt

    monkeypatch.setattr(OAuthGrants, "client_credentials", grant_then_interrupt)
    _, issue = in_process_issue(fresh_sandbox, tmp_path, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        issue.apply()
    assert request_client(fresh_sandbox) is None
    new_tokens = [
        t for t in oauth_state(fresh_sandbox)[1] if t["user_id"] == seed.AGENT_ID and t["id"] > 100000
    ]
    assert not new_tokens
    assert not list(handoff.iterdir())  # the reserved destination was given back


def test_a_client_not_owned_by_the_requester_is_deleted_and_refused(
    fresh_sandbox, tmp_path, handoff, monkeypatch
):
    """Zendesk documents a client's user_id as "the admin who created the client": if it does not take the
    requester as owner, the credential would act as someone else (zendesk-2026-12-updates.md 1.2)."""
    from zdlib.runbook.errors import Refused
    from zdlib.runbook.plans.issue import OAuthIssue

    real_fields = OAuthIssue._client_fields
    monkeypatch.setattr(
        OAuthIssue, "_client_fields", lambda self: {**real_fields(self), "user_id": seed.ADMIN_ID}
    )
    session, issue = in_process_issue(fresh_sandbox, tmp_path, monkeypatch)
    with pytest.raises(Refused):
        issue.apply()
    assert session.outcome == "refused" and f"owned by user {seed.ADMIN_ID}" in session.reason
    assert "revoked or deleted" in session.reason
    assert request_client(fresh_sandbox) is None and not list(handoff.iterdir())


def test_api_token_creation_is_refused_by_the_public_api_and_the_timeline(fresh_sandbox, tmp_path, handoff):
    ids_before = [t["id"] for t in api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]]
    refused = create(fresh_sandbox, tmp_path, kind="api_token")
    assert refused.outcome == "refused"
    assert "2026-10-27" in refused.reason and "2027-04-30" in refused.reason and "oauth" in refused.reason
    fresh_sandbox.control.set_clock(as_of="2026-10-01")
    before_cut = create(fresh_sandbox, tmp_path, kind="api_token")
    assert before_cut.outcome == "refused" and "no endpoint to create API tokens" in before_cut.reason
    assert [
        t["id"] for t in api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]
    ] == ids_before


def test_api_token_revocation_waits_for_admin_center_then_verifies(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    owner = api(fresh_sandbox, "GET", f"/api/v2/users/{seed.OWNER_ID}").json()["user"]["email"]
    secret = seed.api_token_value(fresh_sandbox.options.seed, 3)
    handoff_file = tmp_path / "token3.json"
    handoff_file.write_text(json.dumps({"secrets": {"api_token": secret}, "requester": owner}))
    me = fresh_sandbox.url + "/api/v2/users/me"
    assert httpx.get(me, auth=(f"{owner}/token", secret)).status_code == 200
    assert (
        api(fresh_sandbox, "PUT", "/api/v2/api_tokens/3", json={"api_token": {"active": False}}).status_code
        == 404
    )

    unknown = run(fresh_sandbox, records, "revoke_token", token_id=424242, **APPLY)
    assert unknown.outcome == "failed" and "424242" in unknown.reason
    waiting = run(fresh_sandbox, records, "revoke_token", token_id=3, handoff_file=str(handoff_file), **APPLY)
    assert (waiting.outcome, waiting.exit_code) == ("waiting", EXIT_WAITING), waiting.reason
    assert [c["status"] for c in waiting.summary["changes"]] == ["waiting"]
    html = waiting.html.read_text()
    assert "Admin Center &gt; Apps and integrations &gt; APIs &gt; API tokens" in html or "API tokens" in html
    still = run(fresh_sandbox, records, "revoke_token", token_id=3, **APPLY)
    assert still.outcome == "waiting"  # nobody acted yet: nothing is verified

    fresh_sandbox.control.admin_center_api_token(3, "deactivate")  # the person in Admin Center
    done = run(fresh_sandbox, records, "revoke_token", token_id=3, handoff_file=str(handoff_file), **APPLY)
    assert (done.outcome, done.exit_code) == ("applied", 0), done.reason
    assert httpx.get(me, auth=(f"{owner}/token", secret)).status_code == 401
    assert run(fresh_sandbox, records, "revoke_token", token_id=3, **APPLY).outcome == "no-op"

    delete = run(fresh_sandbox, records, "revoke_token", token_id=3, delete=True, **APPLY)
    assert delete.outcome == "waiting" and "final" in delete.html.read_text()
    fresh_sandbox.control.admin_center_api_token(3, "delete")
    deleted = run(fresh_sandbox, records, "revoke_token", token_id=3, delete=True, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    fresh_sandbox.control.set_clock(advance_days=1)
    next_day = run(fresh_sandbox, records, "revoke_token", token_id=3, delete=True, **APPLY)
    assert next_day.outcome == "no-op", next_day.reason
    assert_no_secret(records, secret)


def test_the_runs_own_credential_is_never_revoked(fresh_sandbox, tmp_path):
    client_id = seed.ADMIN_OAUTH_CLIENT_ID
    before = live_tokens(fresh_sandbox, client_id)
    own_client = run(fresh_sandbox, tmp_path, "revoke_integration", client_id=client_id, **APPLY)
    assert own_client.outcome == "refused" and "this run itself uses" in own_client.reason
    own_token = run(fresh_sandbox, tmp_path, "revoke_token", kind="oauth", token_id=seed.ADMIN_OAUTH_TOKEN_ID,
                    **APPLY)  # fmt: skip
    assert own_token.outcome == "refused" and "this run itself uses" in own_token.reason
    assert live_tokens(fresh_sandbox, client_id) == before
    assert acts_as(fresh_sandbox, fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"]) == seed.ADMIN_ID


def test_with_api_token_auth_the_runs_own_token_and_client_are_never_revoked(fresh_sandbox, tmp_path):
    """ZENDESK_AUTH=token: the run's own API token (told by the characters Zendesk lists of it) and the
    configured ZENDESK_CLIENT_ID's client are refused, in a dry run too; another API token still is not."""
    env = {**fresh_sandbox.env, "ZENDESK_AUTH": "token"}

    def as_token_user(name: str, **parameters) -> RunResult:
        return run_runbook(NOTEBOOKS / f"{name}.ipynb", parameters, records_dir=tmp_path, instance_env=env)

    for extra in (APPLY, {}):
        own = as_token_user("revoke_token", kind="api_token", token_id=seed.ADMIN_API_TOKEN_ID, **extra)
        assert own.outcome == "refused" and "this run itself uses" in own.reason, own.reason
        assert "ZENDESK_API_TOKEN" in own.reason and not own.summary["changes"]
    client_id = seed.ADMIN_OAUTH_CLIENT_ID
    before = live_tokens(fresh_sandbox, client_id)
    own_client = as_token_user("revoke_integration", client_id=client_id, **APPLY)
    assert own_client.outcome == "refused" and "ZENDESK_CLIENT_ID" in own_client.reason, own_client.reason
    assert live_tokens(fresh_sandbox, client_id) == before
    me = fresh_sandbox.url + "/api/v2/users/me"
    assert httpx.get(me, auth=(f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])).status_code == 200
    still_mints = mint(fresh_sandbox, env["ZENDESK_CLIENT_ID"], env["ZENDESK_CLIENT_SECRET"], "read")
    assert still_mints.status_code in (200, 201)
    other = as_token_user("revoke_token", kind="api_token", token_id=2, **APPLY)
    assert other.outcome == "waiting", other.reason  # not the run's own: guided through Admin Center
    assert_no_secret(tmp_path, env["ZENDESK_API_TOKEN"])


def test_revoke_without_a_target_lists_candidates_or_refuses(fresh_sandbox, tmp_path):
    listing = run(fresh_sandbox, tmp_path, "revoke_token")
    assert listing.outcome == "planned" and not listing.summary["changes"]
    applied = run(fresh_sandbox, tmp_path, "revoke_token", **APPLY)
    assert applied.outcome == "refused" and "token_id" in applied.reason


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
    bad_deliver = create(fresh_sandbox, tmp_path / "records", deliver="everything")
    assert bad_deliver.outcome == "refused" and "deliver=" in bad_deliver.reason
    assert audit_log(fresh_sandbox) == before
    assert not handoff.exists() or not list(handoff.iterdir())


def oauth_ids(sandbox) -> tuple[list[int], list[int]]:
    """OAuth clients and tokens by id (a token's `used_at` moves whenever the run's credential is used)."""
    clients, tokens = oauth_state(sandbox)
    return [c["id"] for c in clients], [t["id"] for t in tokens]


def api_tokens(sandbox) -> list[dict]:
    return api(sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]


def test_a_client_replacing_an_api_token_says_so_and_a_bad_id_changes_nothing(
    fresh_sandbox, tmp_path, handoff
):
    """Issue 23: `replaces_api_token` is checked against `GET /api/v2/api_tokens` before anything exists,
    and the run's index line says which client replaces which API token (what the campaign reads)."""
    records = tmp_path / "records"
    listed = api_tokens(fresh_sandbox)
    replaced = listed[0]["id"]
    missing = max(t["id"] for t in listed) + 1000
    before = audit_log(fresh_sandbox), oauth_ids(fresh_sandbox)
    unknown = create(fresh_sandbox, records, replaces_api_token=missing)
    assert unknown.outcome == "refused" and f"replaces_api_token={missing}" in unknown.reason
    assert "GET /api/v2/api_tokens" in unknown.reason and "Nothing was created" in unknown.reason
    not_oauth = create(fresh_sandbox, records, kind="api_token", replaces_api_token=replaced)
    assert not_oauth.outcome == "refused" and "use kind='oauth'" in not_oauth.reason
    assert (audit_log(fresh_sandbox), oauth_ids(fresh_sandbox)) == before  # nothing written, nothing new
    assert api_tokens(fresh_sandbox) == listed and not handoffs(handoff)
    [refused] = [e for e in read_index(records) if e["name"] == unknown.name]
    assert (
        refused["parameters"]["replaces_api_token"] == missing and sources.issued([refused], missing) is None
    )

    issued = create(fresh_sandbox, records, replaces_api_token=replaced)
    assert issued.outcome == "applied", issued.reason
    client = request_client(fresh_sandbox)
    [line] = [e for e in read_index(records) if e["name"] == issued.name]
    assert line["parameters"]["replaces_api_token"] == replaced
    [change] = [c for c in line["changes"] if c["object"] == "oauth_client"]
    assert (change["id"], change["status"]) == (client["id"], "verified")
    assert f"replaces API token {replaced}" in change["note"]
    assert issued.summary["facts"]["replaces_api_token"] == replaced
    assert f"This client replaces **API token {replaced}**" in issued.ipynb.read_text()
    assert sources.issued(read_index(records), replaced).client_id == client["id"]
    assert api_tokens(fresh_sandbox) == listed  # replacing is recorded; the API token is left to revoke_token


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


def fake_op(tmp_path: Path, *, whoami_exit: int = 0, create_exit: int = 0) -> Path:
    """A stand-in for 1Password's `op`: logs each call, `whoami` and `item create` exit as told."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "op-calls.jsonl"
    script = bin_dir / "op"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "call = {'argv': sys.argv[1:], 'stdin': '' if sys.argv[1:2] == ['whoami'] else sys.stdin.read()}\n"
        f"open({str(log)!r}, 'a').write(json.dumps(call) + '\\n')\n"
        f"code = {whoami_exit} if sys.argv[1:2] == ['whoami'] else {create_exit}\n"
        "if code == 0: print(json.dumps({'id': 'item-123'}))\n"
        "sys.exit(code)\n"
    )
    script.chmod(0o755)
    return bin_dir


def test_op_hand_off_goes_to_1password(fresh_sandbox, tmp_path, handoff, monkeypatch):
    bin_dir = fake_op(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    records = tmp_path / "records"
    result = create(fresh_sandbox, records, deliver_to="1password:Support Ops", deliver="integration")
    assert result.outcome == "applied", result.reason
    calls = [json.loads(line) for line in (tmp_path / "op-calls.jsonl").read_text().splitlines()]
    assert calls[0]["argv"] == ["whoami"]
    create_call = next(c for c in calls if c["argv"][:2] == ["item", "create"])
    assert create_call["argv"][2:4] == ["--vault", "Support Ops"]
    item = json.loads(create_call["stdin"])
    assert "4242" in item["title"]
    fields = {f["label"]: f["value"] for f in item["fields"]}
    assert acts_as(fresh_sandbox, fields["access_token"]) == seed.AGENT_ID
    assert "item-123" in result.summary["facts"]["handoff"]
    assert not handoff.exists() or not list(handoff.iterdir())
    assert_no_secret(records, fields["access_token"])
    assert_no_secret(records, fields["client_secret"])


@pytest.mark.no_kernel
def test_secret_looking_parameters_are_refused_before_anything_runs(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    with pytest.raises(UsageError) as refused:
        run(fresh_sandbox, records, "api_request", path="/api/v2/users/me",
            body=fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"])  # fmt: skip
    assert fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"] not in str(refused.value)
    with pytest.raises(UsageError):
        run(fresh_sandbox, records, "create_token", access_request_url=REQUEST, requester_email=REQUESTER,
            api_token="x")  # fmt: skip
    with pytest.raises(UsageError, match=r"secret field 'user\.password'"):
        run(fresh_sandbox, records, "api_request", method="POST", path="/api/v2/users",
            body='{"user": {"name": "N", "password": "Tr0ub4dor&3horse!"}}')  # fmt: skip
    assert not records.exists() or not any(records.iterdir())


def test_expires_in_zero_states_the_lifetime_zendesk_granted(fresh_sandbox, tmp_path, handoff):
    """fidelity review: `expires_in=0` said "never expires" while a 30-minute token was issued. Clients
    created after 2026-04-30 have the default lifetime (30 minutes) enforced: zendesk-2026-12-updates.md
    1.1 #1 (announcement 9182123625370) and #7; the record states the lifetime of the grant."""
    issued = create(fresh_sandbox, tmp_path / "records", expires_in=0)
    assert issued.outcome == "applied", issued.reason
    [handed] = handoffs(handoff)
    for statement in (issued.summary["facts"]["what_it_can_do"], handed["what_it_can_do"]):
        assert "expires after 1,800 seconds" in statement
        assert "never expires" not in statement
