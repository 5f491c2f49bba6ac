"""The gate's fixes: the credential goes to who filed the request, the manager roster, sandbox-only
policies and loopback GitLab tied to the sandbox's Zendesk, manual refused when GitLab is configured, and
comment values that stay text."""

from __future__ import annotations

from tests.approval.support import OPERATOR, issue_url
from tests.runbooks.support import APPLY, REQUEST_URL, audit_log, run
from zdlib.approval.names import email_is_user
from zdlib.runbook.approval import check_approval
from zdlib.sandbox import seed


def check(sandbox, iid: int, approved_by: str = "maria.manager", instance_url: str = "", **env: str):
    return check_approval(
        issue_url(iid),
        approved_by,
        "",
        env.pop("approval_source", ""),
        operator=OPERATOR,
        instance_url=instance_url or sandbox.url,
        environ={**sandbox.env, **env},
    )


def policy_file(tmp_path, extra: str = "") -> str:
    path = tmp_path / "approval-policy.yaml"
    path.write_text(
        "version: 1\nsandbox_only: true\nallowed_projects: [gitlab-com/team-member-epics/access-requests]\n"
        "reviewers: {users: [sam.security, ada.admin]}\n" + extra
    )
    return str(path)


def create(sandbox, records, **extra):
    params = {**APPLY, "access_request_url": REQUEST_URL, "requester_email": seed.AGENT_EMAIL}
    params.update({"scopes": "users:read", **extra})
    return run(sandbox, records, "create_token", **params)


def test_email_is_user_matches_public_email_else_the_local_part():
    assert email_is_user("Alan.Agent@Sandbox.zdlib.test", "alan.agent", "alan.agent@sandbox.zdlib.test")
    assert email_is_user("alan.agent@example.com", "alan.agent")  # no public email: the local part
    assert not email_is_user("grace.owner@sandbox.zdlib.test", "alan.agent")
    assert not email_is_user("grace.owner@sandbox.zdlib.test", "alan.agent", "alan.agent@sandbox.zdlib.test")
    assert not email_is_user("", "alan.agent")


def test_create_token_refuses_a_requester_who_did_not_file_the_request(fresh_sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    before = audit_log(fresh_sandbox)
    grace = f"grace.owner@{seed.EMAIL_DOMAIN}"
    result = create(fresh_sandbox, tmp_path / "records", requester_email=grace)
    assert result.outcome == "refused", result.reason
    assert "#4242 was filed by alan.agent" in result.reason and grace in result.reason
    assert audit_log(fresh_sandbox) == before
    assert not (tmp_path / "handoff").exists() or not list((tmp_path / "handoff").iterdir())
    assert result.summary["approval"]["issue"]["author_public_email"] == seed.AGENT_EMAIL

    dry = create(fresh_sandbox, tmp_path / "records", requester_email=grace, dry_run=True)
    assert dry.outcome != "applied" and audit_log(fresh_sandbox) == before


def test_create_token_applies_for_the_issue_author(fresh_sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    result = create(fresh_sandbox, tmp_path / "records")
    assert result.outcome == "applied", result.reason
    assert result.summary["facts"]["recipient_checked"].startswith("yes")
    assert issue_url(4242) == REQUEST_URL


def test_the_roster_names_the_manager_so_the_label_adder_cannot_be_named_instead(fresh_sandbox, tmp_path):
    evidence = check(fresh_sandbox, 4246, approved_by="bob.builder")  # the sandbox policy's roster
    assert not evidence.verified
    assert any(
        "alan.agent's manager is maria.manager in the policy's roster" in p
        and "the label was added by bob.builder" in p
        for p in evidence.problems
    ), evidence.problems
    assert check(fresh_sandbox, 4242).verified  # maria.manager, the roster's manager, holds


def test_a_requester_missing_from_the_roster_is_refused(fresh_sandbox, tmp_path):
    env = {"ZDLIB_APPROVAL_POLICY": policy_file(tmp_path, "managers: {someone.else: maria.manager}\n")}
    evidence = check(fresh_sandbox, 4242, **env)
    assert any("alan.agent (the requester) is not in" in p and "add" in p for p in evidence.problems)


def test_a_policy_without_a_roster_keeps_the_label_adder_check(fresh_sandbox, tmp_path):
    env = {"ZDLIB_APPROVAL_POLICY": policy_file(tmp_path)}
    assert check(fresh_sandbox, 4246, approved_by="bob.builder", **env).verified
    assert check(fresh_sandbox, 4242, **env).verified


REAL = "https://acme.zendesk.com"


def test_the_sandbox_policy_and_a_loopback_gitlab_are_refused_for_a_real_zendesk(fresh_sandbox, tmp_path):
    evidence = check(fresh_sandbox, 4242, instance_url=REAL)  # the sandbox's policy, its look-alike
    assert not evidence.verified
    assert any("sandbox_only" in p and REAL in p for p in evidence.problems), evidence.problems
    ordinary = policy_file(tmp_path)  # not sandbox_only: the loopback GitLab alone is refused
    (tmp_path / "approval-policy.yaml").write_text(
        (tmp_path / "approval-policy.yaml").read_text().replace("sandbox_only: true\n", "")
    )
    evidence = check(fresh_sandbox, 4242, instance_url=REAL, ZDLIB_APPROVAL_POLICY=ordinary)
    assert any("is on this machine" in p and REAL in p for p in evidence.problems), evidence.problems
    manual = check(fresh_sandbox, 4242, "Maria Manager", REAL, approval_source="manual")
    assert any("sandbox_only" in p for p in manual.problems), manual.problems
    held = check(fresh_sandbox, 4242)
    assert held.verified and fresh_sandbox.env["GITLAB_URL"] in held.banner


def test_manual_is_refused_when_gitlab_is_configured_unless_the_policy_allows_it(fresh_sandbox, tmp_path):
    env = {"ZDLIB_APPROVAL_POLICY": policy_file(tmp_path), "approval_source": "manual"}
    refused = check(fresh_sandbox, 4242, "Maria Manager", **env)
    assert any("allow_manual: false" in p and "skips the GitLab" in p for p in refused.problems)
    env["ZDLIB_APPROVAL_POLICY"] = policy_file(tmp_path, "allow_manual: true\n")
    allowed = check(fresh_sandbox, 4242, "Maria Manager", **env)
    assert allowed.ok and allowed.source == "manual" and not allowed.verified


def test_comment_values_stay_text_in_gitlab_markdown():
    from zdlib.approval.comment import outcome_body

    hostile = "a``b | c @all ![x](https://evil.test/p.png)"
    summary = {
        "runbook": "update_user",
        "instance": "http://127.0.0.1:8000",
        "operator": {"name": "@all `x` | y", "id": 1},
        "approval": {
            "label_event": {"label": "AR-Approval::Manager Approved", "user": "maria.manager", "id": 3},
            "reviewed_by": "ada.admin",
            "operator": "ada.admin",
        },
        "changes": [
            {
                "object": "user",
                "id": 7,
                "field": "name",
                "before": hostile,
                "after": "ok",
                "status": "applied",
            }
        ],
    }
    body = outcome_body(summary, "rec.ipynb", "abc123", "applied")
    assert "@all" not in body  # no mention of everyone, in a cell or in the operator's name
    assert "@maria.manager" in body and "@ada.admin" in body  # the approver and reviewer are told
    row = next(line for line in body.splitlines() if line.startswith("| `user`"))
    assert row.replace("\\|", "").count("|") == 7  # one row of six cells: the value's pipe is escaped
    assert "```'a``b \\| c" in row  # a fence longer than the value's backtick run: ![x](...) stays code
    operator = next(line for line in body.splitlines() if line.startswith("- Operator"))
    assert operator.startswith("- Operator: ``@\u200ball `x` | y``")
