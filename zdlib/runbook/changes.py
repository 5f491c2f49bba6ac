"""Planned changes: what will change, from what, to what; and how each one ended.

A change's status moves forward only, through its methods (`confirm`, `sent`, `verified`, `failed`,
`waiting`, `undone`); an impossible move (verifying a change never sent, sending one twice) raises
`ImpossibleTransition`, a defect in the runbook, never a state a record can show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from zdlib.record.outcome import ChangeStatus, Mode

__all__ = ["Change", "ImpossibleTransition"]


class ImpossibleTransition(RuntimeError):
    """A change was asked to move to a status it cannot reach from where it stands."""


@dataclass
class Change:
    """One field of one object going from `before` to `after`."""

    object: str
    id: Any
    field: str
    before: Any
    after: Any
    status: ChangeStatus = ChangeStatus.PENDING
    request_id: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict, repr=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "status" and "status" in self.__dict__:
            raise AttributeError("a change's status moves through its methods (sent, verified, failed...)")
        super().__setattr__(name, value)

    @property
    def is_noop(self) -> bool:
        return self.before == self.after

    def as_record(self) -> dict:
        record = asdict(self)
        record.pop("extra")
        return record

    # -- transitions ----------------------------------------------------------------------------
    def planned_in(self, mode: Mode) -> Change:
        """Its first status once planned: no-op when already in the desired state, else by the run's mode."""
        if self.status is not ChangeStatus.PENDING:
            raise ImpossibleTransition(f"{self.label} was planned twice (it is {self.status})")
        if self.is_noop:
            return self._move(ChangeStatus.NOOP, check=False)
        return self._move(ChangeStatus.PLANNED if mode is Mode.DRY_RUN else ChangeStatus.PENDING, check=False)

    def confirm(self) -> Change:
        """A dry run's change, confirmed for applying (JupyterLab's "Apply this plan")."""
        return self._move(ChangeStatus.PENDING)

    def sent(self, request_id: str | None) -> Change:
        """Sent and accepted by Zendesk, not yet read back."""
        self.request_id = request_id
        return self._move(ChangeStatus.APPLIED)

    def verified(self, note: str | None = None) -> Change:
        """Read back as planned (or a person's step the API shows done)."""
        if note is not None:
            self.note = note
        return self._move(ChangeStatus.VERIFIED)

    def failed(self, note: str | None = None, *, request_id: str | None = None) -> Change:
        """Refused by the server, lost in flight, or read back wrong."""
        if request_id is not None:
            self.request_id = request_id
        if note is not None:
            self.note = note
        return self._move(ChangeStatus.FAILED)

    def waiting(self, note: str) -> Change:
        """Left to a person (Admin Center); a later run verifies it through the API."""
        self.note = note
        return self._move(ChangeStatus.WAITING)

    def undone(self, note: str) -> Change:
        """Reverted because a later step of its plan failed: it did not take effect."""
        self.note = note
        return self._move(ChangeStatus.FAILED)

    @property
    def label(self) -> str:
        return f"{self.object} {self.id} `{self.field}`"

    def _move(self, status: ChangeStatus, *, check: bool = True) -> Change:
        if check and not self.status.may_become(status):
            raise ImpossibleTransition(f"{self.label} cannot go from {self.status} to {status}")
        object.__setattr__(self, "status", status)
        return self
