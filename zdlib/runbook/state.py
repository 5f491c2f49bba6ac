"""A run's state, moving forward: its mode, its changes, and the outcome they show (no display, no I/O).

`RunState.decide()` is the one rule for a run's outcome. A step may declare an outcome (a refusal, a
failure, waiting for a person, a person's step verified): it stands for as long as nothing moved since,
so a summary shown again says the same; once the mode or a change moves, the outcome is decided afresh.
`Run` (zdlib.runbook.run) wraps it for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zdlib.record.outcome import ChangeStatus, Mode, Outcome
from zdlib.runbook.changes import Change

StateKey = tuple[Mode, tuple[ChangeStatus, ...]]


@dataclass(frozen=True)
class Conclusion:
    """An outcome with its reason, and the state it was reached in."""

    outcome: Outcome
    reason: str
    state: StateKey


@dataclass
class RunState:
    """The mode (stored, moved only by `confirm` and `read_only`) and every change of the run."""

    mode: Mode
    changes: list[Change] = field(default_factory=list)
    declared: Conclusion | None = None
    concluded: Conclusion | None = None

    @property
    def key(self) -> StateKey:
        """What an outcome is decided from: the mode and every change's status."""
        return (self.mode, tuple(c.status for c in self.changes))

    # -- moves ----------------------------------------------------------------------------------
    def add(self, changes: list[Change]) -> None:
        """Planned changes join the run, each with its first status for the run's mode."""
        for change in changes:
            change.planned_in(self.mode)
        self.changes.extend(changes)

    def confirm(self) -> list[Change]:
        """A dry run becomes an applied one (JupyterLab's "Apply this plan"); returns what it confirmed."""
        if self.mode is not Mode.DRY_RUN:
            raise ValueError(f"only a dry run can be confirmed (this run is {self.mode})")
        self.mode = Mode.APPLY
        return [c.confirm() for c in self.changes if c.status is ChangeStatus.PLANNED]

    def read_only(self) -> None:
        """The run only reads (e.g. a GET through api_request)."""
        self.mode = Mode.READ_ONLY

    def declare(self, outcome: Outcome, reason: str) -> None:
        """A step states how the run ends (refused, failed, waiting, a person's step verified)."""
        self.declared = Conclusion(Outcome(outcome), reason, self.key)

    # -- the outcome ----------------------------------------------------------------------------
    def decide(self, reason: str = "") -> Conclusion:
        """The declared outcome while nothing moved since; otherwise what the changes show."""
        key = self.key
        if self.declared is not None and self.declared.state == key:
            return self.declared
        outcome = outcome_of_changes(self.changes, self.mode)
        return Conclusion(outcome, reason or default_reason(outcome, self.changes), key)

    def conclude(self, reason: str = "") -> Conclusion:
        """Decide, and remember it as the run's outcome (each `finish()` concludes afresh)."""
        self.concluded = self.decide(reason)
        return self.concluded

    @property
    def moved_since_conclusion(self) -> bool:
        """True before the first conclusion, or when the mode or a change moved since the last one."""
        return self.concluded is None or self.concluded.state != self.key

    @property
    def pending(self) -> list[Change]:
        """Changes an applied run still has to make."""
        return [c for c in self.changes if c.status is ChangeStatus.PENDING]


def outcome_of_changes(changes: list[Change], mode: Mode) -> Outcome:
    """The outcome the changes show: failed, waiting, applied, planned or no-op."""
    statuses = {c.status for c in changes}
    if ChangeStatus.FAILED in statuses:
        return Outcome.FAILED
    if ChangeStatus.WAITING in statuses:
        return Outcome.WAITING
    if statuses & {ChangeStatus.APPLIED, ChangeStatus.VERIFIED}:
        return Outcome.APPLIED
    if ChangeStatus.PENDING in statuses:
        return Outcome.FAILED  # approved changes that were not made
    if ChangeStatus.PLANNED in statuses:
        return Outcome.PLANNED
    return Outcome.PLANNED if not statuses and mode is Mode.DRY_RUN else Outcome.NOOP


def default_reason(outcome: Outcome, changes: list[Change]) -> str:
    """What an outcome decided from the changes says, when the runbook gives no reason."""
    verified = sum(c.status is ChangeStatus.VERIFIED for c in changes)
    unverified = sum(c.status is ChangeStatus.APPLIED for c in changes)
    applied = f"{_changes(verified)} applied and verified by reading {_them(verified)} back."
    if unverified:
        applied += f" {_changes(unverified)} applied without a read-back check (see the plan table)."
    return {
        Outcome.APPLIED: applied,
        Outcome.PLANNED: (
            "Dry run: the plan was shown and nothing was changed. To apply it, run again with dry_run False "
            "and the access request's approvals (access_request_url, approved_by, reviewed_by)."
        ),
        Outcome.NOOP: "Nothing was changed: all was already in the desired state, or the runbook only reads.",
        Outcome.FAILED: "Some changes did not complete; see the plan table for their status.",
    }.get(outcome, "")


def _changes(count: int) -> str:
    return "1 change" if count == 1 else f"{count} changes"


def _them(count: int) -> str:
    return "it" if count == 1 else "them"
