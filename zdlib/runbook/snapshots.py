"""Reading snapshots back: from a snapshot file, or from a record that lists one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class SnapshotError(ValueError):
    """The snapshot cannot be used; the message says why and what to give instead."""


def load_snapshot(path: str, *, kind: str) -> dict[str, Any]:
    """The object saved by a runbook before a change: `<stem>.snapshot-<kind>-<id>.json` or a record."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise SnapshotError(
            f"No snapshot file at {source}: give the `.snapshot-{kind}-<id>.json` file written next to the "
            "record of the run that changed the object, or that record's .ipynb."
        )
    if source.suffix == ".ipynb":
        source = _snapshot_from_record(source, kind)
    try:
        data = json.loads(source.read_text())
    except ValueError as error:
        raise SnapshotError(f"{source} is not a JSON snapshot ({error}).") from error
    obj = data.get(kind, data) if isinstance(data, dict) else None
    if not isinstance(obj, dict) or "id" not in obj:
        raise SnapshotError(f"{source} does not hold a {kind} object (no id field).")
    return obj


def _snapshot_from_record(record: Path, kind: str) -> Path:
    summary = json.loads(record.read_text()).get("metadata", {}).get("zdlib", {}).get("summary") or {}
    for name in summary.get("files") or []:
        candidate = Path(name)
        if f".snapshot-{kind}-" in candidate.name:
            beside = record.parent / candidate.name
            return beside if beside.is_file() else candidate
    raise SnapshotError(f"The record {record} lists no {kind} snapshot.")


RESTORED_FIELDS = ("title", "active", "conditions", "actions")


def restorable_fields(saved: dict[str, Any]) -> dict[str, Any]:
    """The fields a restore recreates (Zendesk assigns a new id and timestamps)."""
    return {k: saved[k] for k in RESTORED_FIELDS if k in saved}


def _content(automation: dict[str, Any]) -> tuple[Any, Any]:
    return automation.get("conditions"), automation.get("actions")


def find_restored(
    saved: dict[str, Any], automations: Iterable[dict[str, Any]]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(an automation already restored from `saved`, others that share its title but not its rules).

    A title alone proves nothing: another admin may have created a different automation with the same
    title, so a match needs the same conditions and actions as the snapshot.
    """
    same_title = [a for a in automations if a.get("title") == saved.get("title")]
    restored = next((a for a in same_title if _content(a) == _content(saved)), None)
    return restored, [a for a in same_title if a is not restored and _content(a) != _content(saved)]
