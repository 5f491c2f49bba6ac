"""Records: file names, publishing into `records/`, the `index.jsonl` ledger and its listing."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

INDEX_NAME = "index.jsonl"
READ_ONLY = 0o444  # a record is written once and never edited


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def slugify(value: Any, fallback: str = "all") -> str:
    """A file-name-safe form of a target value: `Acme Corp/EU` -> `acme-corp-eu`."""
    text = "" if value is None else str(value)
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def record_name(started: datetime, runbook: str, target: Any) -> str:
    """`20261128T120301Z_deactivate_automation_12345`."""
    return f"{utc_stamp(started)}_{slugify(runbook, 'runbook').replace('-', '_')}_{slugify(target)}"


def unique_name(records_dir: Path, name: str) -> str:
    """The name, or `name-2`, `name-3`... when a record with it already exists."""
    candidate, number = name, 1
    while any(records_dir.glob(f"{glob_escape(candidate)}.*")):
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def publish(path: Path, records_dir: Path) -> Path:
    """Move a scanned file into the records folder, read-only; never overwrite an existing record."""
    records_dir.mkdir(parents=True, exist_ok=True)
    destination = records_dir / path.name
    if destination.exists():
        raise FileExistsError(f"record {destination} already exists; records are never overwritten")
    shutil.move(str(path), destination)
    os.chmod(destination, READ_ONLY)
    return destination


def append_index(records_dir: Path, entry: Mapping[str, Any]) -> Path:
    """Append one JSON line to `records/index.jsonl` (locked, so concurrent runs do not interleave)."""
    records_dir.mkdir(parents=True, exist_ok=True)
    index = records_dir / INDEX_NAME
    line = json.dumps(entry, ensure_ascii=False, sort_keys=False, default=str) + "\n"
    with index.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return index


def read_index(records_dir: Path) -> list[dict[str, Any]]:
    """Every entry of the index, oldest first; a damaged line is reported, not skipped silently."""
    index = records_dir / INDEX_NAME
    if not index.is_file():
        return []
    entries = []
    for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except ValueError:
            entries.append({"outcome": "?", "reason": f"unreadable index line {number}"})
    return entries


TABLE_COLUMNS = ("time", "runbook", "target", "outcome", "operator", "record")


def table_rows(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for entry in entries:
        operator = entry.get("operator") or {}
        if isinstance(operator, Mapping):
            operator = operator.get("email") or operator.get("name") or ""
        record = (entry.get("records") or {}).get("html") or (entry.get("records") or {}).get("ipynb") or ""
        rows.append(
            {
                "time": str(entry.get("started_at", "")),
                "runbook": str(entry.get("runbook", "")),
                "target": str(entry.get("target", "")),
                "outcome": str(entry.get("outcome", "")),
                "operator": str(operator),
                "record": str(record),
            }
        )
    return rows


def format_table(rows: list[dict[str, str]], columns: Iterable[str] = TABLE_COLUMNS) -> str:
    """Plain-text columns, widths fitted to the content."""
    columns = list(columns)
    widths = {c: max([len(c), *(len(row.get(c, "")) for row in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip() for row in rows]
    return "\n".join(lines)
