"""`zdlib records pull`: bring the records project's runs into a local records folder, every file checked.

A scheduled job starts from an empty folder, yet the campaign's evidence (the create_token run that issued a
replacing client, the revoke_token run that verified a deactivation, last week's report) lives in the
records the team pushed. Pulling copies the project's `index.jsonl` lines that the local index does not
have yet, byte for byte, with each file they list, each checked against its line's sha256 before anything is
written; the local index must be a prefix of the project's (else it is refused: the two diverged). Then the
head is rewritten for the longer index and the chain is verified as any local index is.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from zdlib.record.layout import INDEX_NAME, ensure_records_dir, index_mode, record_mode
from zdlib.runner import records
from zdlib.runner.remote import RecordsProject


class PullRefused(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class Pulled:
    """What a pull added: the runs and the files."""

    runs: list[str]
    files: int


def _lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8").splitlines() if line.strip()]


def pull(records_dir: Path, project: RecordsProject) -> Pulled:
    """Add the project's runs the folder lacks; all files are fetched and checked before any is written,
    under the index's lock (a run publishing meanwhile waits, as it does for another run)."""
    remote = _lines(project.read(INDEX_NAME)[0])
    ensure_records_dir(records_dir)
    index = records_dir / INDEX_NAME
    existed = index.exists()
    fd = os.open(index, os.O_CREAT | os.O_RDWR | os.O_APPEND, index_mode())
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            local = [line for line in handle.read().splitlines() if line.strip()]
            new = _new_lines(local, remote)
            fetched = _fetched(project, new)
            _refuse_overwrites(records_dir, fetched)
            for name, data in fetched.items():
                _write(records_dir / name, data)
            if new:
                handle.write("".join(line + "\n" for line in new))
                handle.flush()
                os.fsync(handle.fileno())
                every = local + new
                records.write_head(records_dir, len(every), records.line_hash(every[-1]))
        except PullRefused:
            if not existed and index.stat().st_size == 0:
                index.unlink()  # a refused pull into a new folder leaves no index behind
            raise
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return Pulled([json.loads(line)["name"] for line in new], len(fetched))


def _new_lines(local: list[str], remote: list[str]) -> list[str]:
    """The project's lines after the local ones; refused when the local index is not their start."""
    if remote[: len(local)] != local:
        raise PullRefused(
            f"the local index ({len(local)} runs) is not the start of the records project's "
            f"({len(remote)} runs): they diverged. Push the local runs first (`zdlib records push`), or pull "
            "into an empty folder (--records)."
        )
    return remote[len(local) :]


def _fetched(project: RecordsProject, lines: list[str]) -> dict[str, bytes]:
    """Every file the lines list, each matching its sha256 (else nothing is written)."""
    fetched: dict[str, bytes] = {}
    for line in lines:
        entry = json.loads(line)
        for name, digest in (entry.get("hashes") or {}).items():
            if "/" in name or name.startswith(".") or name in records.DERIVED:
                raise PullRefused(f"run {entry.get('name')} lists {name!r}, which is no record's file name")
            data = project.read(name)[0]
            if hashlib.sha256(data).hexdigest() != digest:
                raise PullRefused(
                    f"{name} in the records project does not match its index line's sha256: the project's "
                    "copy was changed; nothing was pulled. Run `zdlib records verify --remote`."
                )
            fetched[name] = data
    return fetched


def _refuse_overwrites(records_dir: Path, fetched: dict[str, bytes]) -> None:
    """Records are never overwritten: a local file of that name must hold the same bytes (then it stays)."""
    for name in list(fetched):
        path = records_dir / name
        if path.is_symlink() or (path.exists() and path.read_bytes() != fetched[name]):
            raise PullRefused(
                f"{path} exists with other content: records are never overwritten; move it away"
            )
        if path.exists():
            del fetched[name]


def _write(path: Path, data: bytes) -> None:
    """A record file, private like the ones the runner publishes."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, record_mode())
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
