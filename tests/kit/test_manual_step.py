"""A step left to a person (zdlib.runbook.manual): the waiting reason names no place it cannot know, and
the step goes into the summary as plain text for the terminal and the banner (first-use F4, F5)."""

from __future__ import annotations

import pytest

from tests.kit.test_run import APPROVAL, FakeZendesk, displayed, make_run, summaries  # noqa: F401
from zdlib.record.markup import md
from zdlib.runbook import Change
from zdlib.runbook.manual import ManualStep, Waiting


def test_waiting_puts_the_step_in_the_summary_as_plain_text(displayed, monkeypatch, tmp_path):  # noqa: F811
    run = make_run(FakeZendesk(), dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    change = Change("api_token", 3, "active", True, False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    clicks = [md("Open {path}.", path="Admin Center > APIs"), md("Find **{d}**.", d="AR *4242* <b>")]
    step = ManualStep(change, "Deactivate API token 3", "Admin Center > APIs", clicks,
                      {"id": 3, "description": "AR *4242* <b>"}, [md("**Final**: {w}", w="no undo")],
                      rehearsal=("api_tokens", 3, "deactivate"))  # fmt: skip
    with pytest.raises(Waiting) as waited:
        step.wait(run)
    final = summaries(displayed)[-1]
    assert final["outcome"] == "waiting" and final["reason"] == waited.value.reason
    assert "above" not in final["reason"] and "below" not in final["reason"]
    assert "re-run the same zdlib run command" in final["reason"] and "`" not in final["reason"]
    assert final["facts"]["admin_center"] == {
        "title": "Deactivate API token 3",
        "path": "Admin Center > APIs",
        "clicks": ["Open Admin Center > APIs.", "Find AR *4242* <b>."],
        "details": [["id", 3], ["description", "AR *4242* <b>"]],
        "warnings": ["Final: no undo"],
        "rehearsal": {"kind": "api_tokens", "id": 3, "action": "deactivate"},
    }


def test_a_step_the_api_already_shows_done_is_verified_without_waiting(
    displayed,  # noqa: F811
    monkeypatch,
    tmp_path,
):
    run = make_run(FakeZendesk(), dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    change = Change("api_token", 3, "active", True, False)
    run.plan([change])
    ManualStep(change, "Deactivate API token 3", "Admin Center", [], check=lambda: True).wait(run)
    assert change.status == "verified" and "admin_center" not in run.facts


def test_the_waiting_reason_names_what_can_follow_where_the_run_happened():
    """Headless on a real instance or a persistent sandbox: re-run; on `--sandbox`: rehearse on a persistent
    one (the sandbox is gone with the run); in JupyterLab: the button. No Markdown in any."""
    from zdlib.record.channel import FRESH_SANDBOX_VARIABLE, Channel
    from zdlib.runbook.manual import waiting_reason

    real = waiting_reason("Deactivate API token 3", "Admin Center", headless=True)
    fresh = waiting_reason("Deactivate API token 3", "Admin Center", headless=True, fresh_sandbox=True)
    lab = waiting_reason("Deactivate API token 3", "Admin Center", headless=False, fresh_sandbox=True)
    assert "re-run the same zdlib run command" in real
    assert "stopped when the run ended" in fresh and "--env-file .env.sandbox" in fresh
    assert "re-run the same" not in fresh and "Done in Admin Center" in lab
    assert not any("`" in reason for reason in (real, fresh, lab))
    passed = Channel(fresh_sandbox=True).as_env()
    assert passed[FRESH_SANDBOX_VARIABLE] == "1" and Channel.from_env(passed).fresh_sandbox
    assert FRESH_SANDBOX_VARIABLE not in Channel().as_env() and not Channel.from_env({}).fresh_sandbox
