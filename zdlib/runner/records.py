"""Records: publishing into `records/`, the tamper-evident `index.jsonl` ledger, its check and listing.

Each index line carries `prev_sha256`, the sha256 of the line before it (of its bytes without the newline;
the first line's is 64 zeros), and the sha256 of every file it publishes, so `zdlib records verify` finds
an edited, removed or reordered line and an edited record. The newest line has no successor to vouch for
it, so `index.head` does (security re-test 2026-12-04 M4): the line count and the last line's sha256, with
an HMAC under a key kept outside the records folder (`~/.zdlib/records-head.key`, or
`$ZDLIB_RECORDS_HEAD_KEY`), rewritten under the index lock with every line. Verify also names every file
no index line lists and any record replaced by a link (L6).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
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
HEAD_NAME = "index.head"
HEAD_KEY_VARIABLE = "ZDLIB_RECORDS_HEAD_KEY"  # a file path; default ~/.zdlib/records-head.key
DERIVED = {INDEX_NAME, HEAD_NAME, "index.html"}  # in the folder, but not records
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
            line = json.dumps(written, ensure_ascii=False, default=str)
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            write_head(records_dir, len(lines) + 1, line_hash(line))
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


def head_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The key of `index.head`'s HMAC, created (0600) on first use outside any records folder."""
    env = os.environ if environ is None else environ
    path = Path(env.get(HEAD_KEY_VARIABLE) or "~/.zdlib/records-head.key").expanduser()
    if not path.is_file():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


def _head_mac(lines: int, last: str) -> str:
    return hmac.new(head_key(), f"{lines}:{last}".encode(), hashlib.sha256).hexdigest()


def write_head(records_dir: Path, lines: int, last: str) -> None:
    """`index.head`: the number of lines and the last one's sha256, with its HMAC (written atomically)."""
    head = records_dir / HEAD_NAME
    scratch = records_dir / f".{HEAD_NAME}.tmp"
    body = {"lines": lines, "last_line_sha256": last, "hmac": _head_mac(lines, last)}
    fd = os.open(scratch, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, index_mode())
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(body) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(scratch, head)


def head_problem(records_dir: Path, lines: int, last: str) -> str:
    """Why `index.head` does not vouch for the index as it is ("" when it does)."""
    try:
        head = json.loads((records_dir / HEAD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{HEAD_NAME} is missing or unreadable, so the newest line cannot be checked"
    if not isinstance(head, dict) or not isinstance(head.get("lines"), int):
        return f"{HEAD_NAME} is not a head file (it was edited)"
    if not hmac.compare_digest(
        str(head.get("hmac")), _head_mac(head["lines"], str(head.get("last_line_sha256")))
    ):
        return f"{HEAD_NAME} does not carry its own check (it was edited, or written with another key)"
    if head.get("lines") != lines or head.get("last_line_sha256") != last:
        return (
            f"the index has {lines} lines and its last line's sha256 is {last[:12]}..., but {HEAD_NAME} says "
            f"{head.get('lines')} lines ending in {str(head.get('last_line_sha256'))[:12]}...: the newest "
            "line was edited, removed or added outside the runner"
        )
    return ""


def stray_files(records_dir: Path, indexed: set[str]) -> list[str]:
    """Files in the records folder that no index line lists, and records that are links, not files."""
    found = []
    for path in sorted(records_dir.iterdir()):
        if path.name in DERIVED or path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        if path.is_symlink():
            found.append(f"{path.name} is a link, not a published file")
        elif path.name not in indexed:
            found.append(f"{path.name} has no index line")
    return found


def verify(records_dir: Path) -> tuple[int, Break | None]:
    """(lines checked, first break or None): the chain of `prev_sha256`, every listed file's sha256, the
    head, and files that no line lists."""
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
    return count, _tail_break(records_dir, count, previous, indexed)


def _tail_break(records_dir: Path, count: int, last: str, indexed: set[str]) -> Break | None:
    """What the chain alone cannot see: the newest line (the head) and files no line lists."""
    problem = head_problem(records_dir, count, last)
    if problem:
        return Break(count, problem)
    strays = stray_files(records_dir, indexed)
    if strays:
        return Break(count + 1, "files no index line vouches for: " + "; ".join(strays))
    return None


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
        "time": str(entry.get("started_at", "")).replace("T", " "),
        "runbook": str(entry.get("runbook", "")),
        "target": str(entry.get("target", "")),
        "instance": instance,
        "operator": str(operator),
        "approval": _approval(entry.get("approval")),
        "changes": "; ".join(_change(c) for c in entry.get("changes") or [] if isinstance(c, Mapping)),
        "outcome": str(entry.get("outcome", "")),
        "record": Path(str(files.get("html") or files.get("ipynb") or "")).name,
    }


def _approval(approval: Any) -> str:
    """`maria.manager #4242`, with `NOT verified` when the approval was not proven (first-use F8)."""
    if not isinstance(approval, Mapping) or not (
        approval.get("approved_by") or approval.get("access_request_url")
    ):
        return "-"  # none given (a dry run may have none)
    by = approval.get("approved_by") or "-"
    where = str(approval.get("access_request_url") or "").rstrip("/").rsplit("/", 1)[-1]
    shown = f"{by} #{where}" if where else str(by)
    return shown if approval.get("verified") is True else f"NOT verified: {shown}"


def _change(change: Mapping[str, Any]) -> str:
    return (
        f"{change.get('object')} {change.get('id')} {change.get('field')}: "
        f"{change.get('before')!r} -> {change.get('after')!r} [{change.get('status')}]"
    )


#: `zdlib records` in a terminal: what a glance needs; `--wide` shows every column whole, `--json` everything.
NARROW_COLUMNS = ("time", "runbook", "target", "outcome", "approval", "record")
MIN_WIDTHS = {"time": 20, "outcome": 11, "approval": 13}  # "NOT verified" is never cut away


def fitted_table(rows: list[dict[str, str]], width: int, columns: Iterable[str] = NARROW_COLUMNS) -> str:
    """`columns` (the listing's narrow ones by default) in at most `width` characters: the widest cells
    are cut with "…" first."""
    columns = list(columns)
    widths = {c: max([len(c), *(len(row.get(c, "")) for row in rows)]) for c in columns}
    budget = max(width, 60) - 2 * (len(columns) - 1)
    while sum(widths.values()) > budget:
        cuttable = [c for c in columns if widths[c] > max(MIN_WIDTHS.get(c, 8), len(c))]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda c: widths[c])
        widths[widest] -= 1
    cut = [{c: _cut(row.get(c, ""), widths[c], keep_end=c == "record") for c in columns} for row in rows]
    return format_table(cut, columns, widths)


def _cut(value: str, width: int, *, keep_end: bool = False) -> str:
    """`value` in `width` characters; a record's name keeps its end (the time is in its own column)."""
    if len(value) <= width:
        return value
    return "…" + value[-(width - 1) :] if keep_end else value[: max(width - 1, 0)] + "…"


def format_table(
    rows: list[dict[str, str]], columns: Iterable[str] = TABLE_COLUMNS, widths: dict[str, int] | None = None
) -> str:
    """Plain-text columns, widths fitted to the content."""
    columns = list(columns)
    widths = widths or {c: max([len(c), *(len(row.get(c, "")) for row in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip() for row in rows]
    return "\n".join(lines)
