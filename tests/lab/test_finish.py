"""finish() decides the outcome from what happened each time it runs; the record shows the end state.

The JupyterLab path: Run All (a dry run ends `planned`), "Apply this plan", the cells below, finish()
again: `applied`, with the header and plan updated in place (IPython display updates).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.kit.test_run import APPROVAL, FakeZendesk, make_run, summaries
from zdlib.record.outcome import ChangeStatus, Mode, Outcome
from zdlib.runbook import Change, Refused


class Handle:
    """What IPython's display(..., display_id=True) returns: the shown object, updatable in place."""

    def __init__(self, shown: list, index: int) -> None:
        self.shown, self.index = shown, index

    def update(self, obj, **_) -> None:
        self.shown[self.index] = obj


@pytest.fixture
def displayed(monkeypatch):
    shown: list = []

    def display(obj, display_id=None, **_):
        shown.append(obj)
        return Handle(shown, len(shown) - 1) if display_id else None

    for where in ("zdlib.runbook.summary", "zdlib.runbook.run", "zdlib.runbook.display"):
        monkeypatch.setattr(f"{where}.display", display)
    return shown


def texts(shown: list) -> str:
    parts = []
    for obj in shown:
        data = obj if isinstance(obj, dict) else {"text/markdown": getattr(obj, "data", "")}
        parts.append(str(data.get("text/markdown") or data.get("text/plain") or ""))
    return "\n".join(parts)


def walk_the_notebook(run, zendesk, change):
    run.snapshot("automation-7", zendesk.automation)
    run.apply(change, lambda: run.client.automations.update(7, {"active": False}))
    run.verify(change, run.client.automations.get(7)["active"])
    run.finish()


def test_confirm_then_cells_below_end_applied_and_header_and_plan_say_so(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path, headless=False)
    run.stem = tmp_path / "record"
    run.show_header()
    change = Change("automation", 7, "active", True, False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    walk_the_notebook(run, zendesk, change)  # Run All: a dry run
    assert summaries(displayed)[-1]["outcome"] == Outcome.PLANNED and zendesk.puts == 0
    assert "| Mode | dry run" in texts(displayed) and "**Dry run**" in texts(displayed)

    control = next(o for o in displayed if type(o).__name__ == "VBox")
    control.children[0].click()  # "Apply this plan"
    assert "confirmed in JupyterLab" in texts(displayed)  # updated at once, before any cell runs
    walk_the_notebook(run, zendesk, change)  # the cells below
    final = summaries(displayed)[-1]
    assert (final["outcome"], final["mode"], final["changes"][0]["status"]) == (
        Outcome.APPLIED,
        Mode.APPLY,
        "verified",
    )
    assert zendesk.puts == 1 and "applied and verified" in final["reason"]
    shown = texts(displayed)
    assert "| Mode | dry run" not in shown and "**Dry run**" not in shown  # header and plan: the end state
    assert "| Mode | \\*\\*apply" in shown or "| Mode | **apply**" in shown
    assert "**Applied**" in shown and "verified" in shown


def test_a_refusal_stands_until_something_changes(displayed, monkeypatch, tmp_path):
    run = make_run(FakeZendesk(), dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.plan([Change("automation", 7, "active", True, False)])
    with pytest.raises(Refused):
        run.require_approval("", "", "")
    run.finish()  # the summary cell run again by hand: still refused, not "failed"
    assert [s["outcome"] for s in summaries(displayed)[-2:]] == [Outcome.REFUSED, Outcome.REFUSED]


def test_an_error_in_a_later_cell_of_a_finished_run_is_not_its_failure(displayed, monkeypatch, tmp_path):
    run = make_run(FakeZendesk(), dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.plan([Change("automation", 7, "active", True, False)])
    run.finish()
    assert not run.changed_since_finish
    run.state.confirm()  # what "Apply this plan" does
    assert run.changed_since_finish


@pytest.mark.parametrize(
    ("statuses", "dry_run", "outcome"),
    [
        (["planned"], True, Outcome.PLANNED),
        (["verified", "no-op"], False, Outcome.APPLIED),
        (["pending"], False, Outcome.FAILED),
        (["verified", "waiting"], False, Outcome.WAITING),
        (["verified", "failed"], False, Outcome.FAILED),
        (["no-op"], False, Outcome.NOOP),
    ],
)
def test_decide_outcome(displayed, monkeypatch, statuses, dry_run, outcome, tmp_path):
    run = make_run(FakeZendesk(), dry_run=dry_run, monkeypatch=monkeypatch, tmp_path=tmp_path)
    for number, status in enumerate(statuses):
        change = Change("automation", number, "active", True, False, status=ChangeStatus(status))
        run.changes.append(change)
    assert run.decide_outcome() is outcome


def test_a_refused_plan_says_it_was_not_applied(displayed, monkeypatch, tmp_path):
    run = make_run(FakeZendesk(), dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.plan([Change("automation", 7, "active", True, False)])
    assert "once the approval holds" in texts(displayed)
    with pytest.raises(Refused):
        run.require_approval("", "", "")
    shown = texts(displayed)
    assert "**Not applied**: the run ended refused" in shown and "once the approval holds" not in shown


def test_a_headless_applied_run_shows_the_end_state_in_its_plan(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=False, monkeypatch=monkeypatch, tmp_path=tmp_path)
    run.stem = tmp_path / "record"
    change = Change("automation", 7, "active", True, False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    walk_the_notebook(run, zendesk, change)
    shown = texts(displayed)
    assert "**Applied**: the statuses above are the state at the end (1 verified)." in shown
    plan = next(o for o in displayed if isinstance(o, dict) and "verified" in o.get("text/html", ""))
    assert "pending" not in plan["text/html"]


def dry_run_with_button(displayed, monkeypatch, tmp_path):
    zendesk = FakeZendesk()
    run = make_run(zendesk, dry_run=True, monkeypatch=monkeypatch, tmp_path=tmp_path, headless=False)
    run.stem = tmp_path / "record"
    change = Change("automation", 7, "active", True, False)
    run.plan([change])
    run.require_approval(*APPROVAL)
    walk_the_notebook(run, zendesk, change)
    control = next(o for o in displayed if type(o).__name__ == "VBox")
    return run, zendesk, change, control


def test_apply_this_plan_refuses_a_plan_older_than_the_policy_allows(
    displayed, monkeypatch, tmp_path, capsys
):
    run, zendesk, change, control = dry_run_with_button(displayed, monkeypatch, tmp_path)
    run.planned_at -= timedelta(minutes=16)  # the default bound is 15 minutes
    control.children[0].click()
    said = capsys.readouterr().out  # the control's output area (outside a kernel: standard output)
    assert "16 minutes ago; the approval policy lets a plan be applied for 15 minutes" in said
    assert run.mode is Mode.DRY_RUN and change.status is ChangeStatus.PLANNED  # nothing confirmed
    walk_the_notebook(run, zendesk, change)
    assert zendesk.puts == 0 and summaries(displayed)[-1]["outcome"] == Outcome.PLANNED


def test_apply_this_plan_reads_the_approval_again_at_the_press(displayed, monkeypatch, tmp_path, capsys):
    run, zendesk, change, control = dry_run_with_button(displayed, monkeypatch, tmp_path)
    withdrawn = replace(run.approval, problems=["the label was removed by maria.manager"])
    monkeypatch.setattr("zdlib.runbook.gate._read", lambda request, run: withdrawn)
    control.children[0].click()
    said = capsys.readouterr().out  # the control's output area (outside a kernel: standard output)
    assert "Nothing was applied: the approval, read again" in said and "removed by maria.manager" in said
    assert run.mode is Mode.DRY_RUN and change.status is ChangeStatus.PLANNED
    assert zendesk.puts == 0
