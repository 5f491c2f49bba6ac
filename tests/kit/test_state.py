"""A run's state moves forward only: change transitions, the stored mode, and RunState.decide()."""

from __future__ import annotations

import pytest

from zdlib.record.outcome import ChangeStatus, Mode, Outcome
from zdlib.runbook.changes import Change, ImpossibleTransition
from zdlib.runbook.state import RunState


def change(before: object = True, after: object = False) -> Change:
    return Change("automation", 7, "active", before, after)


def test_a_change_goes_planned_sent_verified_and_keeps_its_request_id():
    moving = change().planned_in(Mode.APPLY)
    assert moving.status is ChangeStatus.PENDING
    assert moving.sent("req-1").status is ChangeStatus.APPLIED and moving.request_id == "req-1"
    assert moving.verified().status is ChangeStatus.VERIFIED


@pytest.mark.parametrize(
    ("mode", "before", "status"),
    [(Mode.DRY_RUN, True, ChangeStatus.PLANNED), (Mode.APPLY, True, ChangeStatus.PENDING),
     (Mode.APPLY, False, ChangeStatus.NOOP), (Mode.DRY_RUN, False, ChangeStatus.NOOP)],
)  # fmt: skip
def test_a_planned_change_starts_by_the_run_s_mode(mode, before, status):
    assert change(before=before).planned_in(mode).status is status


@pytest.mark.parametrize(
    "impossible",
    [
        lambda c: c.failed().verified(),  # failed is final
        lambda c: c.sent("r").sent("r"),  # sent twice
        lambda c: c.failed().sent("r"),  # failed is final
        lambda c: c.waiting("x").sent("r"),  # a person's step is never sent by the run
        lambda c: c.confirm(),  # only a planned (dry-run) change is confirmed
        lambda c: c.sent("r").planned_in(Mode.APPLY),  # planned again once sent
    ],
)
def test_an_impossible_transition_is_refused_and_leaves_the_status(impossible):
    pending = change().planned_in(Mode.APPLY)
    with pytest.raises(ImpossibleTransition):
        impossible(pending)
    assert pending.status in (
        ChangeStatus.PENDING,
        ChangeStatus.APPLIED,
        ChangeStatus.FAILED,
        ChangeStatus.WAITING,
    )


def test_status_is_never_assigned_by_hand():
    pending = change()
    with pytest.raises(AttributeError, match="moves through its methods"):
        pending.status = ChangeStatus.VERIFIED
    assert pending.status is ChangeStatus.PENDING


def test_a_waiting_step_is_verified_later_and_an_applied_one_can_be_undone():
    step = change().planned_in(Mode.APPLY).waiting("a person in Admin Center")
    assert step.verified("done").status is ChangeStatus.VERIFIED and step.note == "done"
    assert step.undone("nothing live was left").status is ChangeStatus.FAILED


def test_the_mode_is_stored_and_moves_only_by_confirming_a_dry_run():
    state = RunState(Mode.DRY_RUN)
    state.add([change(), change(before=False)])
    assert [c.status for c in state.changes] == [ChangeStatus.PLANNED, ChangeStatus.NOOP]
    assert state.decide().outcome is Outcome.PLANNED
    confirmed = state.confirm()
    assert state.mode is Mode.APPLY and [c.status for c in confirmed] == [ChangeStatus.PENDING]
    with pytest.raises(ValueError, match="only a dry run"):
        state.confirm()
    assert Mode.of(writes=False, dry_run=False) is Mode.READ_ONLY


def test_a_declared_outcome_stands_until_something_moves():
    state = RunState(Mode.DRY_RUN)
    state.add([change()])
    state.declare(Outcome.REFUSED, "no approval")
    assert state.conclude().outcome is Outcome.REFUSED
    assert not state.moved_since_conclusion
    assert state.decide().reason == "no approval"
    state.confirm()
    assert state.moved_since_conclusion
    assert state.decide().outcome is Outcome.FAILED  # approved changes that were not made


@pytest.mark.parametrize(
    ("mode", "statuses", "outcome"),
    [
        (Mode.DRY_RUN, [], Outcome.PLANNED),
        (Mode.APPLY, [], Outcome.NOOP),
        (Mode.READ_ONLY, [], Outcome.NOOP),
        (Mode.APPLY, ["verified", "no-op"], Outcome.APPLIED),
        (Mode.APPLY, ["applied"], Outcome.APPLIED),
        (Mode.APPLY, ["verified", "waiting"], Outcome.WAITING),
        (Mode.APPLY, ["verified", "failed"], Outcome.FAILED),
        (Mode.APPLY, ["pending"], Outcome.FAILED),
    ],
)
def test_decide_from_the_changes(mode, statuses, outcome):
    state = RunState(
        mode, [Change("x", n, "f", 1, 2, status=ChangeStatus(s)) for n, s in enumerate(statuses)]
    )
    decided = state.decide()
    assert decided.outcome is outcome
    assert decided.reason or outcome is Outcome.WAITING  # a waiting step always declares its own reason
