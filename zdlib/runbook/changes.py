"""Planned changes: what will change, from what, to what; and how each one ended."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from zdlib.record.outcome import ChangeStatus

PENDING, NOOP, PLANNED, APPLIED, VERIFIED, FAILED, WAITING = (
    ChangeStatus.PENDING,
    ChangeStatus.NOOP,
    ChangeStatus.PLANNED,
    ChangeStatus.APPLIED,
    ChangeStatus.VERIFIED,
    ChangeStatus.FAILED,
    ChangeStatus.WAITING,
)


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

    @property
    def is_noop(self) -> bool:
        return self.before == self.after

    def as_record(self) -> dict:
        record = asdict(self)
        record.pop("extra")
        return record


def plan_table(changes: list[Change]) -> pd.DataFrame:
    """The plan as a table: object, id, field, before, after, status."""
    rows = [
        {
            "object": c.object,
            "id": c.id,
            "field": c.field,
            "before": _short(c.before),
            "after": _short(c.after),
            "status": c.status,
            "note": c.note,
        }
        for c in changes
    ]
    return pd.DataFrame(rows, columns=["object", "id", "field", "before", "after", "status", "note"])


def _short(value: Any, limit: int = 400) -> str:
    """The value as text; a long one is cut with "…" (a URL never is: its end is what identifies it)."""
    text = "" if value is None else str(value)
    if len(text) <= limit or re.fullmatch(r"https?://\S+", text):
        return text
    return text[: limit - 1] + "…"
