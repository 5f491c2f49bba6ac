"""Records: publishing into `records/`, the tamper-evident `index.jsonl` ledger, its check and listing.

Each index line carries `prev_sha256`, the sha256 of the line before it (of its bytes without the newline;
the first line's is 64 zeros), and the sha256 of every file it publishes, so `zdlib records verify` finds
an edited, removed or reordered line and an edited record.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zdlib.record.layout import (
    INDEX_NAME,
    ensure_records_dir,
    glob_escape,
    index_mode,
    read_index,
    record_mode,
    record_name,
    sha256_file,
    slugify,
    utc_stamp,
)

GENESIS = "0" * 64
__all__ = ["glob_escape", "read_index", "record_name", "slugify", "utc_stamp"]


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def publish(path: Path, records_dir: Path) -> Path:
    """Move a scanned file into the records folder, read-only; never overwrite an existing record.

    A hard link then an unlink: the link fails if the name is taken, so a record is never replaced.
    """
    destination = records_dir / path.name
    try:
        os.link(path, destination)
    except FileExistsError as error:
        raise FileExistsError(
            f"record {destination} already exists; records are never overwritten"
        ) from error
    os.chmod(destination, record_mode())
    path.unlink()
    return destination


def line_hash(line: str) -> str:
    return hashlib.sha256(line.rstrip("\n").encode("utf-8")).hexdigest()


def append_index(records_dir: Path, entry: Mapping[str, Any]) -> dict[str, Any]:
    """Append one JSON line to `records/index.jsonl`, chained to the line before (locked against
    concurrent runs); returns the entry as written."""
    ensure_records_dir(records_dir)
    index = records_dir / INDEX_NAME
    fd = os.open(index, os.O_CREAT | os.O_RDWR | os.O_APPEND, index_mode())
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            lines = [line for line in handle.read().splitlines() if line.strip()]
            written = {**entry, "prev_sha256": line_hash(lines[-1]) if lines else GENESIS}
            handle.write(json.dumps(written, ensure_ascii=False, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    os.chmod(index, index_mode())
    return written


@dataclass(frozen=True)
class Break:
    """The first place where the ledger or a record is not as written."""

    line: int
    problem: str

    def __str__(self) -> str:
        return f"index line {self.line}: {self.problem}"


def verify(records_dir: Path) -> tuple[int, Break | None]:
    """(lines checked, first break or None): the chain of `prev_sha256` and every listed file's sha256."""
    index = records_dir / INDEX_NAME
    if not index.is_file():
        return 0, None
    previous = GENESIS
    count = 0
    indexed: set[str] = set()
    for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        count += 1
        try:
            entry = json.loads(line)
        except ValueError:
            return count, Break(number, "not valid JSON (edited or truncated)")
        if "prev_sha256" not in entry:
            return count, Break(number, "it carries no prev_sha256 (written before the chain, or edited)")
        if entry.get("prev_sha256") != previous:
            return count, Break(
                number,
                "its prev_sha256 does not match the line before it: a line was edited, removed or "
                "inserted here or just above",
            )
        for name, digest in (entry.get("hashes") or {}).items():
            path = records_dir / name
            if not path.is_file():
                return count, Break(number, f"{name} is missing")
            if sha256_file(path) != digest:
                return count, Break(number, f"{name} does not match its sha256 (the record was changed)")
        indexed.update(entry.get("hashes") or {})
        previous = line_hash(line)
    unindexed = sorted(p.name for p in records_dir.glob("*.ipynb") if p.name not in indexed)
    if unindexed:  # e.g. the last line removed: the chain alone cannot see a cut tail
        return count, Break(count + 1, f"{unindexed[0]} is a record with no index line (a line was removed)")
    return count, None


TABLE_COLUMNS = (
    "time",
    "runbook",
    "target",
    "instance",
    "operator",
    "approval",
    "changes",
    "outcome",
    "record",
)


def table_rows(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One row per run: what `zdlib records` prints (the instance marked SANDBOX when it is one)."""
    return [_row(entry) for entry in entries]


def _row(entry: Mapping[str, Any]) -> dict[str, str]:
    operator = entry.get("operator") or {}
    if isinstance(operator, Mapping):
        operator = operator.get("email") or operator.get("name") or ""
    files = entry.get("records") or {}
    instance = str(entry.get("instance") or "")
    if entry.get("sandbox"):
        instance = f"SANDBOX {instance}".strip()
    return {
        "time": str(entry.get("started_at", "")),
        "runbook": str(entry.get("runbook", "")),
        "target": str(entry.get("target", "")),
        "instance": instance,
        "operator": str(operator),
        "approval": _approval(entry.get("approval")),
        "changes": "; ".join(_change(c) for c in entry.get("changes") or [] if isinstance(c, Mapping)),
        "outcome": str(entry.get("outcome", "")),
        "record": str(files.get("html") or files.get("ipynb") or ""),
    }


def _approval(approval: Any) -> str:
    if not isinstance(approval, Mapping):
        return ""
    by = approval.get("approved_by") or ""
    where = str(approval.get("access_request_url") or "").rsplit("/", 1)[-1]
    return f"{by} ({where})" if where else str(by)


def _change(change: Mapping[str, Any]) -> str:
    return (
        f"{change.get('object')} {change.get('id')} {change.get('field')}: "
        f"{change.get('before')!r} -> {change.get('after')!r} [{change.get('status')}]"
    )


def format_table(rows: list[dict[str, str]], columns: Iterable[str] = TABLE_COLUMNS) -> str:
    """Plain-text columns, widths fitted to the content."""
    columns = list(columns)
    widths = {c: max([len(c), *(len(row.get(c, "")) for row in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip() for row in rows]
    return "\n".join(lines)
