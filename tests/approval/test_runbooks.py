"""The approval gate end to end: runbooks through the runner, the sandbox's GitLab as the source.

Zendesk's state is read back through the sandbox's API and GitLab's through python-gitlab, never through
the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.approval.support import OPERATOR, gitlab_faults, issue_url, notes
from tests.runbooks.support import APPLY, NOTEBOOKS, admin_env, api, assert_no_secret, writes_seen
from zdlib.runbook import Change, Refused
from zdlib.runbook.run import Run
from zdlib.runner import run_runbook
from zdlib.runner.cli import describe_result
from zdlib.runner.run import RunResult


def deactivate(sandbox, records, **parameters: Any) -> RunResult:
    extra_env = parameters.pop("env", {})
    return run_runbook(
        NOTEBOOKS / "deactivate_automation.ipynb",
        {"automation_id": 12345, **parameters},
        records_dir=records,
        instance_env={**admin_env(sandbox), **extra_env},
    )


def active(sandbox) -> bool:
    return api(sandbox, "GET", "/api/v2/automations/12345").json()["automation"]["active"]


def index_lines(records) -> list[dict]:
    return [json.loads(line) for line in (records / "index.jsonl").read_text().splitlines() if line.strip()]


def test_an_approved_request_applies_with_its_evidence_and_one_comment(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    result = deactivate(fresh_sandbox, records, **APPLY)
    assert result.outcome == "applied", result.reason
    assert active(fresh_sandbox) is False

    approval = result.summary["approval"]
    assert approval["source"] == "gitlab" and approval["verified"] is True
    assert approval["issue"]["author"] == "alan.agent" and approval["issue"]["state"] == "opened"
    assert approval["label_event"]["user"] == "maria.manager" and approval["reviewed_by"] == "ada.admin"
    line = index_lines(records)[-1]
    assert line["approval"]["label_event"] == approval["label_event"]

    posted = notes(fresh_sandbox, 4242)
    assert len(posted) == 1
    assert line["approval_comment"]["note_id"] == posted[0].id
    assert result.sha256 and result.sha256 in posted[0].body and result.ipynb.name in posted[0].body
    assert "`True`" in posted[0].body and "`False`" in posted[0].body  # the change, before -> after
    assert f"Comment {posted[0].id} posted on the access request." in result.reason
    assert_no_secret(records, fresh_sandbox.env["GITLAB_TOKEN"])
    assert fresh_sandbox.env["GITLAB_TOKEN"] not in posted[0].body

    again = deactivate(fresh_sandbox, records, **APPLY)  # a no-op changes nothing and says nothing
    assert again.outcome == "no-op", again.reason
    assert len(notes(fresh_sandbox, 4242)) == 1


@pytest.mark.parametrize(
    ("iid", "expected"),
    [
        (4243, "added by alan.agent, the requester"),
        (4244, "the issue is closed"),
        (4245, "does not carry the label"),
        (4246, "added by bob.builder on 20"),
    ],
)
def test_bad_approvals_are_refused_and_change_nothing(fresh_sandbox, tmp_path, iid, expected):
    fresh_sandbox.control.reset_stats()
    result = deactivate(fresh_sandbox, tmp_path, **{**APPLY, "access_request_url": issue_url(iid)})
    assert result.outcome == "refused" and expected in result.reason, result.reason
    assert "No change was made" in result.reason
    assert active(fresh_sandbox) is True and writes_seen(fresh_sandbox) == 0
    assert notes(fresh_sandbox, iid) == []
    assert result.summary["approval"]["verified"] is False
    # the change was never sent, and every view of the record says so the same way
    [change] = result.summary["changes"]
    assert change["status"] == "pending"
    [entry] = [json.loads(line) for line in (tmp_path / "index.jsonl").read_text().splitlines()]
    assert [c["status"] for c in entry["changes"]] == ["pending"]
    assert '<span class="zd-tag">not sent</span>' in result.html.read_text()
    assert "[pending: not sent]" in describe_result(result)


@pytest.mark.parametrize(
    ("fault", "env", "expected"),
    [
        ({}, {"GITLAB_TOKEN": "glpat-wrong-token-000000"}, "refused the token"),
        ({"status": 503}, {}, "503 Service Unavailable"),
        ({"delay_s": 3}, {"GITLAB_TIMEOUT": "1"}, "did not answer within 1 s"),
    ],
)
def test_a_gitlab_error_refuses_the_applied_run(fresh_sandbox, tmp_path, fault, env, expected):
    gitlab_faults(fresh_sandbox, **fault)
    fresh_sandbox.control.reset_stats()
    result = deactivate(fresh_sandbox, tmp_path, **APPLY, env=env)
    assert result.outcome == "refused" and expected in result.reason, result.reason
    assert active(fresh_sandbox) is True and writes_seen(fresh_sandbox) == 0
    assert_no_secret(tmp_path, fresh_sandbox.env["GITLAB_TOKEN"])


def test_a_failed_comment_never_undoes_the_change(fresh_sandbox, tmp_path):
    gitlab_faults(fresh_sandbox, status=503, methods=["POST"])  # reads work, the note cannot be posted
    result = deactivate(fresh_sandbox, tmp_path, **APPLY)
    assert result.outcome == "applied", result.reason
    assert active(fresh_sandbox) is False
    assert "not commented on" in result.reason and "503" in result.reason
    assert "503" in index_lines(tmp_path)[-1]["approval_comment"]["error"]


def test_a_manual_approval_applies_on_the_sandbox_but_is_marked_not_verified(fresh_sandbox, tmp_path):
    typed = {"approved_by": "Maria Manager", "reviewed_by": "Sam Security", "approval_source": "manual"}
    result = deactivate(fresh_sandbox, tmp_path, **{**APPLY, **typed})
    assert result.outcome == "applied", result.reason
    approval = result.summary["approval"]
    assert approval["source"] == "manual" and approval["verified"] is False
    assert approval["banner"].startswith("approval NOT verified")
    assert index_lines(tmp_path)[-1]["approval"]["verified"] is False
    assert "approval_comment" not in index_lines(tmp_path)[-1]
    assert notes(fresh_sandbox, 4242) == []


def test_a_dry_run_shows_what_an_applied_run_would_find(fresh_sandbox, tmp_path):
    result = deactivate(
        fresh_sandbox, tmp_path, access_request_url=issue_url(4243), approved_by="maria.manager"
    )
    assert result.outcome == "planned", result.reason
    assert any("alan.agent, the requester" in p for p in result.summary["approval"]["problems"])
    text = result.ipynb.read_text()
    assert "An applied run would be refused" in text and "Approval source: GitLab" in text
    assert active(fresh_sandbox) is True


# -- a real (non-sandbox) instance without an approval source ------------------------------------------
def _real_instance_run(monkeypatch, tmp_path: Path) -> Run:
    from zdlib import Client, load_settings

    for name in ("GITLAB_URL", "GITLAB_TOKEN", "ZDLIB_APPROVAL_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    monkeypatch.setenv("ZDLIB_RECORD_STEM", str(tmp_path / "record"))  # the test's own checkpoints
    for target in (
        "zdlib.runbook.summary.display",
        "zdlib.runbook.run.display",
        "zdlib.runbook.display.display",
    ):
        monkeypatch.setattr(target, lambda *a, **k: None)

    def zendesk(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"user": OPERATOR})

    settings = load_settings(
        environ={"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "t" * 40}
    )
    run = Run(
        "deactivate_automation",
        "1",
        {"dry_run": False},
        Client(settings, transport=httpx.MockTransport(zendesk)),
    )
    run.identify()
    run.plan([Change("automation", 7, "active", True, False)])
    return run


def test_typed_approvals_on_a_real_instance_need_manual_said_out_loud(monkeypatch, tmp_path):
    run = _real_instance_run(monkeypatch, tmp_path)
    with pytest.raises(Refused, match=r"no approval source is configured for https://acme\.zendesk\.com"):
        run.require_approval(issue_url(4242), "Maria Manager", "Sam Security")

    run = _real_instance_run(monkeypatch, tmp_path)
    url = run.require_approval(issue_url(4242), "Maria Manager", "Sam Security", "manual")
    assert url == issue_url(4242)
    assert run.summary()["approval"]["verified"] is False and run.summary()["approval"]["source"] == "manual"
