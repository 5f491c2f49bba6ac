"""Reading snapshots back, from what our records list: a rollback restores only what a published record
saved, checked against the sha256 the index holds (security re-test 2026-12-04 M6: a crafted JSON file
became an active automation). A file no record lists is used only when the operator says so, and the
record then says so in red.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zdlib.record.layout import read_index, repository_of, sha256_file
from zdlib.runbook import files
from zdlib.runbook.display import note, warn

if TYPE_CHECKING:
    from zdlib.runbook.run import Run


class SnapshotError(ValueError):
    """The snapshot cannot be used; the message says why and what to give instead."""


def load_snapshot(path: str | Path, *, kind: str) -> dict[str, Any]:
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


@dataclass(frozen=True)
class FoundSnapshot:
    """A snapshot file, the record that lists it (None: a file no record lists), and its sha256."""

    path: Path
    record: str | None
    sha256: str

    def as_fact(self) -> dict[str, Any]:
        return {"file": self.path.name, "record": self.record, "sha256": self.sha256}


def find_snapshot(
    kind: str,
    *,
    from_record: str = "",
    snapshot_path: str = "",
    records_dir: Path,
    repo_root: Path | None = None,
    allow_unrecorded: bool = False,
) -> FoundSnapshot:
    """The `kind` snapshot named by a record (`from_record`: its name, its `.ipynb`, or `"<runbook>
    <target>"` for the latest one), or by a path (as the operator types it: relative to the working
    folder, the repository or the records folder) that a record lists; its sha256 must be the index's."""
    entries = read_index(records_dir)
    if from_record.strip():
        return _from_entry(kind, _entry_named(from_record.strip(), kind, entries), records_dir)
    if not snapshot_path.strip():
        raise SnapshotError(
            "Give from_record (the record of the run that saved the snapshot) or snapshot_path."
        )
    path = _resolve(snapshot_path.strip(), records_dir, repo_root)
    if path.suffix == ".ipynb":
        return _from_entry(kind, _entry_named(path.stem, kind, entries), records_dir)
    listing = next((e for e in reversed(entries) if path.name in (e.get("hashes") or {})), None)
    if listing is not None and path.resolve().parent == records_dir.resolve():
        return _from_entry(kind, listing, records_dir, name=path.name)
    if not allow_unrecorded:
        raise SnapshotError(
            f"{path} is listed in no record in {records_dir}: a rollback restores what a published record "
            "saved. Give from_record (e.g. 'delete_automation 12349' for the latest such run, or a record's "
            "name), or say unrecorded_snapshot=True to restore this file anyway (the record says so in red)."
        )
    return FoundSnapshot(path, None, sha256_file(path))


def _resolve(typed: str, records_dir: Path, repo_root: Path | None) -> Path:
    given = Path(typed).expanduser()
    typed_in = files.channel().operator_cwd  # where `zdlib run` was typed (the kernel runs elsewhere)
    bases = [*([typed_in] if typed_in else []), Path.cwd(), *([repo_root] if repo_root else []), records_dir]
    bases.append(records_dir.parent)
    candidates = [given] if given.is_absolute() else list(dict.fromkeys(base / given for base in bases))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise SnapshotError(f"No file at {typed} (looked at {tried}): give the record's name as from_record.")


def _entry_named(name: str, kind: str, entries: list[dict[str, Any]]) -> Mapping[str, Any]:
    stem = name.removesuffix(".ipynb").removesuffix(".html")
    exact = [e for e in entries if e.get("name") == stem]
    if exact:
        return exact[-1]
    runbook, _, target = stem.partition(" ")
    latest = [
        e for e in entries
        if e.get("runbook") == runbook and str(e.get("target")) == target.strip() and _listed(e, kind)
    ]  # fmt: skip
    if latest:
        return latest[-1]
    raise SnapshotError(
        f"No record named {name!r}, and no record of {runbook} for {target.strip() or '?'} that saved a "
        f"{kind} snapshot. List the records with `zdlib records` and give one's name."
    )


def _listed(entry: Mapping[str, Any], kind: str) -> str | None:
    return next((n for n in (entry.get("hashes") or {}) if f".snapshot-{kind}-" in n), None)


def _from_entry(
    kind: str, entry: Mapping[str, Any], records_dir: Path, name: str | None = None
) -> FoundSnapshot:
    name = name or _listed(entry, kind)
    if not name:
        raise SnapshotError(f"The record {entry.get('name')} lists no {kind} snapshot.")
    path = records_dir / name
    if not path.is_file():
        raise SnapshotError(f"The record {entry.get('name')} lists {name}, but it is not in {records_dir}.")
    digest, recorded = sha256_file(path), (entry.get("hashes") or {}).get(name)
    if digest != recorded:
        raise SnapshotError(
            f"{name} has sha256 {digest}, but the record {entry.get('name')} says {recorded}: it was changed "
            "after it was recorded. Nothing is restored from it; run `zdlib records verify` and escalate."
        )
    return FoundSnapshot(path, str(entry.get("name")), digest)


def load_recorded_snapshot(
    run: Run, kind: str, *, from_record: str = "", snapshot_path: str = "", unrecorded: bool = False
) -> dict[str, Any]:
    """The saved object for a rollback, from a record (or, when the operator says so, from any file);
    refuses the run, changing nothing, when the snapshot cannot be trusted."""
    try:
        found = find_snapshot(
            kind,
            from_record=from_record,
            snapshot_path=snapshot_path,
            records_dir=files.records_dir(run.runbook),
            repo_root=repository_of(run.runbook),
            allow_unrecorded=unrecorded,
        )
        saved = load_snapshot(found.path, kind=kind)
    except SnapshotError as error:
        run.refuse(str(error))
    run.facts["snapshot"] = found.as_fact()
    if found.record is None:
        warn(
            "NOT from a record: {file:code} (sha256 {sha}) is listed in no published record; it is restored "
            "only because unrecorded_snapshot=True was given. A reviewer must check where it came from.",
            file=str(found.path),
            sha=found.sha256,
        )
    else:
        note(
            "Snapshot {file:code} from the record {record:code}; its sha256 matches the index ({sha}).",
            file=found.path.name,
            record=found.record,
            sha=found.sha256,
        )
    return saved


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
