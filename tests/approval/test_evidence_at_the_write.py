"""Approval evidence holds at the moment of each write, is bound to the change, and shows the review
(issue 19; security re-test 2026-12-04 H1, M1, M2, L3, L4). Runbooks run through the runner against the
sandbox; its GitLab look-alike changes the issue between the run's approval check and its write. Zendesk's
state is read back through the sandbox's API, GitLab's through python-gitlab, never through the code under
test.
"""

from __future__ import annotations

import json

import httpx

from tests.approval.support import gitlab_faults, issue_url, notes
from tests.fault_proxy import FaultProxy
from tests.runbooks.support import APPLY, NOTEBOOKS, admin_env, api, writes_seen
from zdlib.runner import run_runbook
from zdlib.runner.cli import main_run
from zdlib.runner.run import RunResult
from zdlib.sandbox.gitlab.seed import APPROVED
from zdlib.sandbox.server import SandboxServer

MANAGER = "maria.manager"


def deactivate(sandbox, records, automation_id: int = 12345, **parameters) -> RunResult:
    return run_runbook(
        NOTEBOOKS / "deactivate_automation.ipynb",
        {"automation_id": automation_id, **APPLY, **parameters},
        records_dir=records,
        instance_env=admin_env(sandbox),
    )


def active(sandbox, automation_id: int = 12345) -> bool:
    return api(sandbox, "GET", f"/api/v2/automations/{automation_id}").json()["automation"]["active"]


def last_index_line(records) -> dict:
    return json.loads((records / "index.jsonl").read_text().splitlines()[-1])


def test_a_label_removed_between_the_check_and_the_write_stops_the_write(fresh_sandbox, tmp_path):
    # the first read of #4242 is the plan's check; the label goes before the second (the write's re-check)
    fresh_sandbox.control.change_issue(
        4242, {"label": APPROVED, "action": "remove", "by": MANAGER}, after_reads=1
    )
    fresh_sandbox.control.reset_stats()
    result = deactivate(fresh_sandbox, tmp_path / "records")
    assert result.outcome == "refused", result.reason
    assert "was not sent: the approval, read again right before the write" in result.reason
    assert f"the label '{APPROVED}' was removed by {MANAGER}" in result.reason
    assert active(fresh_sandbox) is True and writes_seen(fresh_sandbox) == 0  # nothing reached Zendesk
    line = last_index_line(tmp_path / "records")
    assert line["outcome"] == "refused" and line["approval"]["verified"] is False
    assert line["approval"]["checks_made"] == 2 and line["approval"]["checked_at"]
    assert [c["status"] for c in line["changes"]] == ["pending"]  # shown as never sent
    assert notes(fresh_sandbox, 4242) == []  # no "Approval checked" comment on a withdrawn approval


def test_an_issue_closed_between_the_check_and_the_write_stops_it(fresh_sandbox, tmp_path):
    fresh_sandbox.control.change_issue(4242, {"state": "closed", "by": "alan.agent"}, after_reads=1)
    result = deactivate(fresh_sandbox, tmp_path / "records")
    assert result.outcome == "refused" and "the issue is closed by alan.agent" in result.reason
    assert active(fresh_sandbox) is True


def test_an_approval_that_still_holds_at_the_write_applies_and_says_when_it_was_checked(
    fresh_sandbox, tmp_path
):
    result = deactivate(fresh_sandbox, tmp_path / "records")
    assert result.outcome == "applied", result.reason
    assert active(fresh_sandbox) is False
    approval = result.summary["approval"]
    assert approval["checks_made"] == 2 and approval["first_checked_at"] and approval["checked_at"]
    assert approval["bound_by"] == "the issue names 'automation 12345'"
    assert approval["review"]["kind"] == "note"  # the operator's review note on the issue
    posted = notes(fresh_sandbox, 4242)
    assert len(posted) == 1 and f"last checked `{approval['checked_at']}`" in posted[0].body
    html = result.html.read_text()
    assert "Approval read again before sending automation 12345" in html


def test_a_reopened_request_must_be_approved_again(fresh_sandbox, tmp_path):
    fresh_sandbox.control.change_issue(
        4242, {"state": "closed", "by": "alan.agent"}, {"state": "reopened", "by": "alan.agent"}
    )
    result = deactivate(fresh_sandbox, tmp_path / "records")
    assert result.outcome == "refused" and "the issue was reopened by alan.agent" in result.reason
    assert active(fresh_sandbox) is True
    # the manager approves again (remove and add): the reopened request holds
    fresh_sandbox.control.change_issue(
        4242,
        {"label": APPROVED, "action": "remove", "by": MANAGER},
        {"label": APPROVED, "action": "add", "by": MANAGER},
    )
    again = deactivate(fresh_sandbox, tmp_path / "records")
    assert again.outcome == "applied", again.reason
    assert active(fresh_sandbox) is False


def test_an_approval_for_something_else_is_refused_with_the_facts(fresh_sandbox, tmp_path):
    result = deactivate(
        fresh_sandbox, tmp_path / "records", automation_id=12350, access_request_url=issue_url(4247)
    )
    assert result.outcome == "refused", result.reason
    assert "does not name this change's target ('automation 12350')" in result.reason
    assert "AR: light agent access for alan.agent" in result.reason
    assert active(fresh_sandbox, 12350) is True
    # an automation the good request does not name is refused there too
    other = deactivate(fresh_sandbox, tmp_path / "records", automation_id=12348)
    assert other.outcome == "refused" and "'automation 12348'" in other.reason
    assert active(fresh_sandbox, 12348) is True


def test_the_operator_may_not_be_the_requester(fresh_sandbox, tmp_path):
    result = deactivate(fresh_sandbox, tmp_path / "records", access_request_url=issue_url(4248))
    assert result.outcome == "refused", result.reason
    assert "the operator ada.admin (the GitLab token's user) is the requester" in result.reason
    assert active(fresh_sandbox) is True


def test_a_reviewer_counts_only_when_gitlab_shows_the_review(fresh_sandbox, tmp_path):
    result = deactivate(fresh_sandbox, tmp_path / "records", access_request_url=issue_url(4249))
    assert result.outcome == "refused", result.reason
    assert "GitLab shows no review by ada.admin on the issue" in result.reason
    typed = deactivate(
        fresh_sandbox, tmp_path / "records", access_request_url=issue_url(4249), reviewed_by="sam.security"
    )
    assert typed.outcome == "refused" and "GitLab shows no review by sam.security" in typed.reason
    assert active(fresh_sandbox) is True
    # the reviewer records the review on the issue: now it counts
    fresh_sandbox.control.change_issue(4249, {"note": "Reviewed: scopes fine.", "by": "sam.security"})
    ok = deactivate(
        fresh_sandbox, tmp_path / "records", access_request_url=issue_url(4249), reviewed_by="sam.security"
    )
    assert ok.outcome == "applied", ok.reason
    assert ok.summary["approval"]["review"]["kind"] == "note"
    assert active(fresh_sandbox) is False


def test_approval_age_is_judged_to_the_second_and_a_future_event_is_refused(fresh_sandbox, tmp_path):
    # the seeded approval is 2 days old: 28 days and 90 minutes later it is 30 days 1 hour 30 minutes old,
    # over the policy's 30 days, though `.days` would still say 30
    fresh_sandbox.control.set_clock(advance_days=28 + 1.5 / 24)
    stale = deactivate(fresh_sandbox, tmp_path / "records")
    assert stale.outcome == "refused" and "30 days 1 hours ago" in stale.reason
    fresh_sandbox.control.reset()
    fresh_sandbox.control.change_issue(
        4242,
        {"label": APPROVED, "action": "remove", "by": MANAGER},
        {"label": APPROVED, "action": "add", "by": MANAGER, "seconds_ago": -400 * 86400},  # dated ahead
    )
    future = deactivate(fresh_sandbox, tmp_path / "records")
    assert future.outcome == "refused" and "an event dated in the future is not evidence" in future.reason
    assert active(fresh_sandbox) is True


def test_a_loopback_tunnel_to_another_instance_follows_the_real_instance_rules(tmp_path):
    # security re-test 2026-12-04 M5: a local tunnel or proxy to a real instance is on loopback too
    with SandboxServer(users=10) as elsewhere, FaultProxy(elsewhere.url) as tunnel:
        env = {
            k: v for k, v in elsewhere.env.items() if k.startswith("ZENDESK_")
        }  # no sandbox key, no GitLab
        env.update({"ZENDESK_URL": tunnel.url, "ZENDESK_AUTH": "oauth"})
        result = run_runbook(
            NOTEBOOKS / "deactivate_automation.ipynb",
            {"automation_id": 12345, "dry_run": False, "approved_by": "Maria Manager", "reviewed_by": "Sam",
             "access_request_url": issue_url(4242)},
            records_dir=tmp_path / "records",
            instance_env=env,
        )  # fmt: skip
        assert result.outcome == "refused", result.reason
        assert f"no approval source is configured for {tunnel.url}" in result.reason
        assert last_index_line(tmp_path / "records")["sandbox"] is False
        assert "SANDBOX" not in result.html.read_text()
        with httpx.Client(headers={"Authorization": f"Bearer {env['ZENDESK_OAUTH_TOKEN']}"}) as http:
            automation = http.get(elsewhere.url + "/api/v2/automations/12345").json()["automation"]
        assert automation["active"] is True


def test_a_gitlab_error_that_echoes_the_token_never_reaches_the_terminal(fresh_sandbox, tmp_path, capsys):
    # security re-test 2026-12-04 M3: GitLab (or a proxy) answered "401 ... token glpat-... is revoked"
    token = fresh_sandbox.env["GITLAB_TOKEN"]
    gitlab_faults(
        fresh_sandbox, status=401, message="401 Unauthorized: token {token} is revoked", remaining=1
    )
    env_file = tmp_path / "sandbox.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in admin_env(fresh_sandbox).items()))
    pairs = [a for k, v in {**APPLY, "automation_id": 12345}.items() for a in ("-p", k, str(v))]
    code = main_run(
        ["deactivate_automation", *pairs, "--env-file", str(env_file), "--records", str(tmp_path / "r")]
    )
    shown = capsys.readouterr()
    assert code == 1 and "refused" in shown.out
    assert "refused the token" in shown.out + shown.err  # the refusal is said...
    assert token not in shown.out + shown.err  # ...without the token
    for path in (tmp_path / "r").rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace"), path
    assert active(fresh_sandbox) is True
