"""Counting listed items in O(1) memory: the sandbox lists by ascending id, so a repeat is a step back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class IdTally:
    """Count of ids seen, and how many did not strictly increase (repeats or disorder)."""

    count: int = 0
    last: int = -1
    not_increasing: int = 0

    def add(self, item_id: int) -> None:
        self.count += 1
        if item_id <= self.last:
            self.not_increasing += 1
        self.last = max(self.last, item_id)

    def as_dict(self) -> dict[str, Any]:
        return {"items_seen": self.count, "items_not_increasing": self.not_increasing}
