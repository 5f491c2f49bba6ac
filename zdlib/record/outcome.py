"""How a run ended, where each change stands, what a run may do: the vocabulary the kit and runner share.

Both `zdlib.runbook` (which decides) and `zdlib.runner` (which records and exits) read these enums.
Values are `StrEnum`s, so they are written to JSON and compared with the strings of older records as is.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How a run ended."""

    PLANNED = "planned"  # dry run: the plan was shown, nothing changed
    APPLIED = "applied"  # changes were made (and verified where the plan says so)
    NOOP = "no-op"  # nothing to do, or the runbook only reads
    REFUSED = "refused"  # stopped before any change (approval, input, state)
    FAILED = "failed"  # something went wrong; the record says what is known
    INTERRUPTED = "interrupted"  # stopped (Ctrl-C, SIGTERM, killed); the last checkpoint says what was sent
    WAITING = "waiting"  # a step is left to a person (e.g. Admin Center); nothing verified yet

    @property
    def succeeded(self) -> bool:
        return self in SUCCESS_OUTCOMES

    @property
    def exit_code(self) -> int:
        """0 success, 1 refused/failed/interrupted, 3 waiting for a person (2 is a usage error)."""
        if self in SUCCESS_OUTCOMES:
            return 0
        return EXIT_WAITING if self is Outcome.WAITING else 1


SUCCESS_OUTCOMES = frozenset({Outcome.PLANNED, Outcome.APPLIED, Outcome.NOOP})
EXIT_USAGE = 2
EXIT_WAITING = 3


class ChangeStatus(StrEnum):
    """Where one planned change stands. It moves forward only (`may_become`): planned -> pending -> sent
    (`applied`) -> `verified`, or `failed`, or `waiting` for a person; a pending change never sent by a
    run that ended refused or failed is reported as not sent (`never_sent`)."""

    PENDING = "pending"  # approved, still to be made in this run
    NOOP = "no-op"  # already in the desired state
    PLANNED = "planned"  # dry run: shown, not made
    APPLIED = "applied"  # sent and accepted, not yet read back
    VERIFIED = "verified"  # read back as planned
    FAILED = "failed"  # refused by the server, or read back wrong, or undone
    WAITING = "waiting"  # left to a person (Admin Center); verified by a later run

    def may_become(self, other: ChangeStatus) -> bool:
        """True when a change may move from this status to `other`."""
        return other in _MOVES[self]


_MOVES: dict[ChangeStatus, frozenset[ChangeStatus]] = {
    ChangeStatus.PLANNED: frozenset({ChangeStatus.PENDING}),  # a dry run confirmed in JupyterLab
    ChangeStatus.PENDING: frozenset(
        # sent; refused by the server or undone; left to a person; a person's step the API already shows
        {ChangeStatus.APPLIED, ChangeStatus.FAILED, ChangeStatus.WAITING, ChangeStatus.VERIFIED}
    ),
    ChangeStatus.APPLIED: frozenset({ChangeStatus.VERIFIED, ChangeStatus.FAILED}),
    ChangeStatus.WAITING: frozenset({ChangeStatus.VERIFIED}),  # the API shows the person's step done
    ChangeStatus.VERIFIED: frozenset({ChangeStatus.FAILED}),  # undone when a later step of its plan failed
    ChangeStatus.NOOP: frozenset({ChangeStatus.FAILED}),  # read back otherwise than it was found
    ChangeStatus.FAILED: frozenset(),
}


class Mode(StrEnum):
    """What a run may do."""

    READ_ONLY = "read-only"
    DRY_RUN = "dry run"
    APPLY = "apply"

    @classmethod
    def of(cls, *, writes: bool, dry_run: bool) -> Mode:
        """A runbook that writes runs as a dry run or applied; one that only reads is read-only."""
        if not writes:
            return cls.READ_ONLY
        return cls.DRY_RUN if dry_run else cls.APPLY


#: A run that ended so never sent a change still `pending`: refused before any change, or failed before
#: reaching it (a write that was tried is `applied` or `failed`). An interrupted run's pending change may
#: have been in flight: its reason (the last checkpoint) says what is known.
NOT_SENT_OUTCOMES = frozenset({Outcome.REFUSED, Outcome.FAILED})


def never_sent(status: object, outcome: object) -> bool:
    """True for a change the run's record can say was never sent to Zendesk."""
    return str(status) == ChangeStatus.PENDING and outcome_of(outcome) in NOT_SENT_OUTCOMES


def outcome_of(value: object) -> Outcome | None:
    """The Outcome named by `value`, or None when it names none."""
    try:
        return Outcome(str(value))
    except ValueError:
        return None
