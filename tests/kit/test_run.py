"""The Run object over a real client on httpx.MockTransport: gates, checkpoints, outcomes, confirm."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from zdlib import Client, load_settings
from zdlib.record.outcome import Mode
from zdlib.record.summary import SUMMARY_MIME
from zdlib.runbook import Change, Failed, Refused
from zdlib.runbook.run import Run

# Typed approval on a non-sandbox instance: only with approval_source="manual" (recorded as NOT verified).
APPROVAL = (
    "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242",
    "Maria Manager",
    "Sam Security",
    "manual",
)


class FakeZendesk:
    """Just enough of Zendesk: /users/me and one automation."""

    def __init__(self, fail_put: bool = False) -> None:
        self.automation = {"id": 7, "title": "T", "active": True}
        self.puts = 0
        self.fail_put = fail_put

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {"x-zendesk-request-id": f"req-{request.method}-{self.puts}"}
        if request.url.path == "/api/v2/users/me":
            user = {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "role": "admin"}
            return httpx.Response(200, json={"user": user}, headers=headers)
        if request.method == "PUT":
            self.puts += 1
            if self.fail_put:
                return httpx.Response(
                    422, json={"error": "RecordInvalid", "description": "nope"}, headers=headers
                )
            self.automation.update(json.loads(request.content)["automation"])
        return httpx.Response(200, json={"automation": self.automation}, headers=headers)


@pytest.fixture
def displayed(monkeypatch):
    shown: list = []
    monkeypatch.setattr("zdlib.runbook.summary.display", lambda obj, **_: shown.append(obj))
    monkeypatch.setattr("zdlib.runbook.run.display", lambda obj, **_: shown.append(obj))
    monkeypatch.setattr("zdlib.runbook.display.display", lambda obj, **_: shown.append(obj))
    return shown


def make_run(
    zendesk: FakeZendesk, *, dry_run: bool, monkeypatch, tmp_path: Path, headless: bool = True
) -> Run:
    if headless:  # the test's own record stem: checkpoints are written next to it
        monkeypatch.setenv("ZDLIB_RECORD_STEM", str(tmp_path / "record"))
    else:
        monkeypatch.delenv("ZDLIB_RECORD_STEM", raising=False)
    settings = load_settings(
        environ={"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "t" * 40}
    )
    client = Client(settings, transport=httpx.MockTransport(zendesk))
    run = Run("deactivate_automation", "1.0.0", {"dry_run": dry_run}, client, target=7)
    run.identify()
    return run


def summaries(shown: list) -> list[dict]:
    return [o[SUMMARY_MIME] for o in shown if isinstance(o, dict) and SUMMARY_MIME in o]


def deactivate(run: Run, zendesk: FakeZendesk) -> Change:
    change = Change("automation", 7, "active", zendesk.automation["active"], False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    run.apply(change, lambda: run.client.automations.update(7, {"active": False}))
    run.verify(change, run.client.automations.get(7)["active"])
    return change


def test_applied_run_checkpoints_and_verifies(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    change = deactivate(run, zendesk)
    run.finish()
    states = summaries(displayed)
    # checkpoints say what a stop would leave: interrupted, with what was sent (issue 12 A)
    assert [s["outcome"] for s in states] == ["interrupted", "interrupted", "applied"]
    assert [bool(s.get("checkpoint")) for s in states] == [True, True, False]
    assert states[0]["changes"][0]["status"] == "pending" and "answer was not seen" in states[0]["reason"]
    assert states[1]["changes"][0]["status"] == "applied" and "not yet verified" in states[1]["reason"]
    assert change.status == "verified" and zendesk.puts == 1
    assert states[-1]["request_ids"] == ["req-PUT-0"]


def test_dry_run_changes_nothing_and_second_apply_is_noop(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    planned = make_run(zendesk, dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path)
    deactivate(planned, zendesk)
    planned.finish()
    assert zendesk.puts == 0 and summaries(displayed)[-1]["outcome"] == "planned"
    zendesk.automation["active"] = False
    again = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    deactivate(again, zendesk)
    again.finish()
    assert zendesk.puts == 0 and summaries(displayed)[-1]["outcome"] == "no-op"


def test_missing_approval_refuses_before_any_write(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.plan([Change("automation", 7, "active", True, False)])
    with pytest.raises(Refused, match="approval does not hold"):
        run.require_approval("", "", "")
    assert zendesk.puts == 0 and summaries(displayed)[-1]["outcome"] == "refused"
    # the unsent change stays `pending` (never `planned`, never sent) in the summary the record keeps
    assert [c["status"] for c in summaries(displayed)[-1]["changes"]] == ["pending"]


def test_a_precondition_refusal_after_the_plan_keeps_its_changes_pending(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.plan([Change("automation", 7, "active", True, False)])
    with pytest.raises(Refused, match="changed since the plan"):
        run.refuse("automation 7 changed since the plan; run the runbook again")
    last = summaries(displayed)[-1]
    assert zendesk.puts == 0 and last["outcome"] == "refused"
    assert [c["status"] for c in last["changes"]] == ["pending"]


def test_a_failed_write_fails_the_run_with_the_request_id(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk(fail_put=True)
    run = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    with pytest.raises(Failed, match=r"RecordInvalid|422"):
        deactivate(run, zendesk)
    final = summaries(displayed)[-1]
    assert final["outcome"] == "failed" and final["changes"][0]["status"] == "failed"
    assert final["changes"][0]["request_id"] == "req-PUT-0"


def test_confirm_button_turns_an_approved_dry_run_into_an_applied_one(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path, headless=False)
    change = Change("automation", 7, "active", True, False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    control = next(o for o in displayed if type(o).__name__ == "VBox")
    control.children[0].click()
    assert not run.dry_run and change.status == "pending"
    run.apply(change, lambda: run.client.automations.update(7, {"active": False}))
    assert zendesk.puts == 1 and "confirmed_in_jupyterlab_at" in run.facts


def test_no_confirm_button_in_headless_runs(displayed, monkeypatch, tmp_path):
    run = make_run(FakeZendesk(), dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path, headless=True)
    run.plan([Change("automation", 7, "active", True, False)])
    run.require_approval(*APPROVAL)
    assert not [o for o in displayed if type(o).__name__ == "VBox"]


@pytest.mark.parametrize(
    ("writes", "dry_run", "mode"),
    [(False, True, "read-only"), (True, True, "dry run"), (True, False, "**apply**")],
)
def test_header_states_the_mode(displayed, monkeypatch, writes, dry_run, mode, tmp_path):
    run = make_run(FakeZendesk(), dry_run=dry_run, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.state.mode = Mode.of(writes=writes, dry_run=dry_run)
    run.show_header()
    header = next(o.data for o in displayed if hasattr(o, "data") and "| Mode |" in str(o.data))
    assert f"| Mode | {mode}" in header
