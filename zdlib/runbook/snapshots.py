"""Reading snapshots back: from a snapshot file, or from a record that lists one."""

from __future__ import annotations

import json
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
