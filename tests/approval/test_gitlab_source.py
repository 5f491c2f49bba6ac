"""The GitLab approval source with python-gitlab against the sandbox's look-alike (real HTTP)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.approval.support import OPERATOR, gitlab_faults, issue_url, notes
from zdlib.approval.comment import post_outcome
from zdlib.approval.evidence import Evidence, Source
from zdlib.approval.gitlab_source import GitLabSource, gitlab_settings
from zdlib.approval.policy import load_policy
from zdlib.approval.request_url import parse_request_url
from zdlib.runbook.approval import check_approval


def check(
    sandbox, iid: int, approved_by: str = "maria.manager", reviewed_by: str = "", **env: str
) -> Evidence:
    return check_approval(
        issue_url(iid),
        approved_by,
        reviewed_by,
        operator=OPERATOR,
        instance_url=sandbox.url,
        environ={**sandbox.env, **env},
    )


def test_only_the_approved_issue_4242_holds(fresh_sandbox):
    evidence = check(fresh_sandbox, 4242)
    assert evidence.verified and evidence.problems == []
    assert evidence.source == Source.GITLAB
    assert evidence.issue["author"] == "alan.agent" and evidence.issue["state"] == "opened"
    assert evidence.label_event["user"] == "maria.manager" and evidence.label_event["action"] == "add"
    assert evidence.label_event["label"] == "AR-Approval::Manager Approved"
    assert (
        evidence.reviewed_by == "ada.admin" == evidence.operator
    )  # the handbook's default: the operator reviews


@pytest.mark.parametrize(
    ("iid", "expected"),
    [
        (4243, "was added by alan.agent, the requester (the issue's author), on 20"),
        (4244, "the issue is closed by alan.agent on 20"),
        (4245, "does not carry the label 'AR-Approval::Manager Approved'"),
        (4246, "was added by bob.builder on 20"),
    ],
)
def test_each_bad_request_is_refused_with_the_facts(fresh_sandbox, iid, expected):
    evidence = check(fresh_sandbox, iid)
    assert not evidence.verified
    assert any(expected in p for p in evidence.problems), evidence.problems
    if iid == 4246:
        assert "not by maria.manager, the named manager" in " ".join(evidence.problems)


def test_the_named_manager_must_be_the_one_who_added_the_label(fresh_sandbox):
    evidence = check(fresh_sandbox, 4242, approved_by="bob.builder")
    assert any("added by maria.manager on" in p and "not by bob.builder" in p for p in evidence.problems)


def test_the_operator_may_not_approve(fresh_sandbox):
    evidence = check(fresh_sandbox, 4242, approved_by="ada.admin")
    assert any("the approver ada.admin is the operator" in p for p in evidence.problems)


@pytest.mark.parametrize(
    ("reviewer", "expected"),
    [
        ("sam.security", None),
        ("bob.builder", "bob.builder may not review access requests"),
        ("maria.manager", "is also the approver"),
        ("alan.agent", "is the requester"),
        ("nobody.here", "is not a GitLab user"),
    ],
)
def test_the_reviewer_is_one_the_policy_allows(fresh_sandbox, reviewer, expected):
    evidence = check(fresh_sandbox, 4242, reviewed_by=reviewer)
    if expected is None:
        assert evidence.verified and evidence.reviewed_by == reviewer
    else:
        assert any(expected in p for p in evidence.problems), evidence.problems


def test_an_old_approval_is_stale(fresh_sandbox):
    fresh_sandbox.control.set_clock(advance_days=40)  # GitLab's Date header follows the sandbox clock
    evidence = check(fresh_sandbox, 4242)
    assert any("days ago" in p and "up to 30 days" in p for p in evidence.problems), evidence.problems


def test_a_project_outside_the_policy_is_refused_before_asking(fresh_sandbox):
    evidence = check_approval(
        "https://gitlab.com/acme/other/-/issues/1",
        "maria.manager",
        operator=OPERATOR,
        instance_url=fresh_sandbox.url,
        environ=fresh_sandbox.env,
    )
    assert any("acme/other is not an access-request project" in p for p in evidence.problems)


@pytest.mark.parametrize(
    ("fault", "env", "expected"),
    [
        ({}, {"GITLAB_TOKEN": "glpat-not-the-sandbox-token"}, "refused the token"),
        ({"status": 401}, {}, "(401 Unauthorized)"),
        ({"status": 404}, {}, "found no"),
        ({"status": 500}, {}, "(500 Internal Server Error)"),
        ({"status": 503}, {}, "(503 Service Unavailable)"),
        ({"delay_s": 2}, {"GITLAB_TIMEOUT": "0.5"}, "did not answer within 0.5 s"),
    ],
)
def test_gitlab_errors_are_problems_not_crashes(fresh_sandbox, fault, env, expected):
    gitlab_faults(fresh_sandbox, **fault)
    evidence = check(fresh_sandbox, 4242, **env)
    assert not evidence.verified
    assert any(expected in p for p in evidence.problems), evidence.problems
    assert "glpat-" not in " ".join(evidence.problems)


def test_an_unknown_issue_is_not_found(fresh_sandbox):
    evidence = check(fresh_sandbox, 9999)
    assert any("found no issue #9999" in p and "404" in p for p in evidence.problems), evidence.problems


def test_a_label_added_when_the_issue_was_created_is_a_template():
    """Role-based templates add the label by quick action at creation (zendesk-2026-12-updates.md 4.1)."""

    def event(eid: int, user: str, when: str) -> SimpleNamespace:
        label = {"name": "AR-Approval::Manager Approved"}
        return SimpleNamespace(id=eid, user={"username": user}, created_at=when, label=label, action="add")

    issue = SimpleNamespace(
        attributes={
            "title": "Baseline entitlements",
            "state": "opened",
            "author": {"username": "maria.manager"},
            "web_url": "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/1",
            "created_at": "2026-11-20T10:00:00.000Z",
            "labels": ["AR-Approval::Manager Approved"],
        },
        resourcelabelevents=SimpleNamespace(
            list=lambda **_: [event(1, "maria.manager", "2026-11-20T10:00:01.000Z")]
        ),
        resourcestateevents=SimpleNamespace(list=lambda **_: []),
        notes=SimpleNamespace(list=lambda **_: []),
    )
    project = SimpleNamespace(issues=SimpleNamespace(get=lambda iid: issue))
    user = SimpleNamespace(username="maria.manager")
    response = SimpleNamespace(
        json=lambda: {"username": "ada.admin"}, headers={"Date": "Fri, 20 Nov 2026 12:00:00 GMT"}
    )
    fake = SimpleNamespace(
        http_request=lambda *a, **k: response,
        projects=SimpleNamespace(get=lambda path, **k: project),
        users=SimpleNamespace(list=lambda **k: [user]),
    )
    policy = load_policy("zdlib/sandbox/gitlab/approval-policy.yaml")
    settings = gitlab_settings({"GITLAB_URL": "http://127.0.0.1:1/gitlab", "GITLAB_TOKEN": "glpat-x"})
    evidence = Evidence(Source.GITLAB, "", "maria.manager", "sam.security")
    GitLabSource(settings, policy, gl=fake).check(parse_request_url(issue.attributes["web_url"]), evidence)
    assert any("when the issue was created" in p and "template" in p for p in evidence.problems), (
        evidence.problems
    )


def test_the_outcome_comment_is_posted_and_read_back(fresh_sandbox):
    settings = gitlab_settings(fresh_sandbox.env)
    result = post_outcome(settings, issue_url(4242), "outcome **applied**, sha256 `abc123`")
    assert result.note_id and result.error == ""
    posted = notes(fresh_sandbox, 4242)
    assert [n.id for n in posted] == [result.note_id] and "sha256 `abc123`" in posted[0].body
    assert posted[0].author["username"] == "ada.admin"


def test_a_comment_holding_a_secret_is_never_posted(fresh_sandbox):
    settings = gitlab_settings(fresh_sandbox.env)
    result = post_outcome(settings, issue_url(4242), "token s3cr3t-value-123", secrets=["s3cr3t-value-123"])
    assert result.note_id is None and "secret" in result.error
    assert notes(fresh_sandbox, 4242) == []


def test_a_failed_comment_is_reported_not_raised(fresh_sandbox):
    gitlab_faults(fresh_sandbox, status=503)
    result = post_outcome(gitlab_settings(fresh_sandbox.env), issue_url(4242), "outcome")
    assert result.note_id is None and "503" in result.error


def test_reviewers_may_be_a_gitlab_group(fresh_sandbox, tmp_path):
    policy = tmp_path / "approval-policy.yaml"
    policy.write_text(
        "version: 1\nsandbox_only: true\nallowed_projects: [gitlab-com/team-member-epics/access-requests]\n"
        "reviewers: {group: gitlab-com/support/customer-support-operations}\n"
    )
    env = {"ZDLIB_APPROVAL_POLICY": str(policy)}
    assert check(fresh_sandbox, 4242, reviewed_by="sam.security", **env).verified
    refused = check(fresh_sandbox, 4242, reviewed_by="bob.builder", **env)
    assert any("members of gitlab-com/support/customer-support-operations" in p for p in refused.problems)


def test_the_sandbox_policy_is_refused_for_a_real_gitlab(fresh_sandbox):
    evidence = check(fresh_sandbox, 4242, GITLAB_URL="https://gitlab.com")
    assert any("is the sandbox's policy" in p for p in evidence.problems), evidence.problems
