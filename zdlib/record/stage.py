"""Where a run lives until it is published: a private stage inside the records folder.

A run is staged in `records/.staging/<name>/` (the same filesystem as the records, so publishing is a
rename; folders 0700), and its name is reserved there at the start with an exclusive create, so no two
runs share a name, even across processes in the same second. The stage holds:

- `<name>.ipynb`: the executed notebook (the record to be), side files `<name>.<suffix>` beside it;
- `run-secrets.jsonl` (0600): one JSON object `{"label", "value"}` per secret created in the run
  (`ZDLIB_RUN_SECRETS` points at it; the publisher deletes it after the scan that needs it);
- `run.json`: who staged it (runbook, version, parameters, target, started_at, pid, host, mode);
- `owner.lock`: locked (flock) by the owning process for its lifetime, so a stage whose owner died
  (SIGKILL, power loss) is told from one still running.

Both the kit (interactive runs) and the runner (headless runs) stage through this module; only the runner
publishes (`zdlib records publish STAGE_DIR`, `zdlib records recover`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from zdlib.record.layout import STAGING_DIR, ensure_records_dir, glob_escape, record_name, write_private

META_NAME = "run.json"
SECRETS_NAME = "run-secrets.jsonl"
LOCK_NAME = "owner.lock"
PUBLISH_LOCK_NAME = "publish.lock"

_HELD: dict[Path, int] = {}  # stage folder -> fd of its held owner lock (this process owns the stage)


class StageMode(StrEnum):
    """Who runs the staged notebook."""

    HEADLESS = "headless"  # `zdlib run` (papermill)
    INTERACTIVE = "interactive"  # a JupyterLab kernel


# -- the stage -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    """One staged run: its reserved name and folder; every path the kit and runner need derives from them."""

    name: str
    dir: Path

    @property
    def records_dir(self) -> Path:
        return self.dir.parent.parent

    @property
    def ipynb(self) -> Path:
        return self.dir / f"{self.name}.ipynb"

    @property
    def stem(self) -> Path:
        """Side files are `<stem>.<suffix>`, e.g. `<name>.snapshot-automation-12345.json`."""
        return self.dir / self.name

    @property
    def secrets_file(self) -> Path:
        return self.dir / SECRETS_NAME

    @property
    def meta_file(self) -> Path:
        return self.dir / META_NAME

    @property
    def lock_file(self) -> Path:
        return self.dir / LOCK_NAME

    def side_file(self, suffix: str) -> Path:
        return self.dir / f"{self.name}.{suffix}"

    def record_files(self) -> list[Path]:
        """Every `<name>.*` file in the stage (the notebook, its HTML, side files)."""
        return sorted(self.dir.glob(f"{glob_escape(self.name)}.*"))

    def meta(self) -> dict[str, Any]:
        """`run.json`, or {} when it is missing or unreadable (a stage is published anyway)."""
        try:
            data = json.loads(self.meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @classmethod
    def at(cls, folder: str | Path) -> Stage:
        """The stage in `folder` (`records/.staging/<name>`); raises ValueError if it is not one."""
        path = Path(folder).resolve()
        if path.parent.name != STAGING_DIR or not path.is_dir():
            raise ValueError(
                f"{folder} is not a staged run: stages are folders under <records>/{STAGING_DIR}/ "
                "(see `zdlib records recover`)"
            )
        return cls(path.name, path)


def reserve(
    records_dir: str | Path,
    runbook: str,
    target: Any,
    started: datetime,
    *,
    mode: StageMode | str,
    version: str = "",
    parameters: dict[str, Any] | None = None,
) -> Stage:
    """Reserve a fresh name and stage folder for a run, hold its owner lock and write `run.json`.

    The name is `<UTC>_<runbook>_<target>`, or with `-2`, `-3`... when a stage or a published record
    already has it. The secrets file is created empty (0600) so `ZDLIB_RUN_SECRETS` can point at it.
    """
    records = ensure_records_dir(Path(records_dir).resolve())
    base = record_name(started, runbook, target)
    number = 1
    while True:
        name = base if number == 1 else f"{base}-{number}"
        folder = records / STAGING_DIR / name
        try:
            folder.mkdir(mode=0o700)  # atomic: fails if another run holds the name
        except FileExistsError:
            number += 1
            continue
        # a stage is removed only after its files are published, so a finished run is seen here
        if any(records.glob(f"{glob_escape(name)}.*")):
            folder.rmdir()
            number += 1
            continue
        break
    os.chmod(folder, 0o700)
    stage = Stage(name, folder)
    _hold(stage)
    os.close(os.open(stage.secrets_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    meta = {
        "name": name,
        "runbook": runbook,
        "version": version,
        "parameters": parameters or {},
        "target": None if target is None else str(target),
        "started_at": started.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "mode": str(StageMode(mode)),
    }
    write_private(stage.meta_file, json.dumps(meta, indent=2, default=str) + "\n")
    return stage


def _hold(stage: Stage) -> None:
    fd = os.open(stage.lock_file, os.O_CREAT | os.O_RDWR, 0o600)  # not inherited by the kernel
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _HELD[stage.dir] = fd


def release(stage: Stage) -> None:
    """Give up this process's ownership of a stage (after publishing it, or to hand it to a publisher)."""
    fd = _HELD.pop(stage.dir, None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def owned_here(stage: Stage) -> bool:
    """True when this process holds the stage's owner lock."""
    return stage.dir in _HELD


def owner_alive(stage: Stage) -> bool:
    """True while the process that staged the run is running (it holds `owner.lock`).

    Without a lock file (a stage written by hand, or damaged), the pid and host in `run.json` decide.
    """
    if owned_here(stage):
        return True
    try:
        fd = os.open(stage.lock_file, os.O_RDWR)
    except FileNotFoundError:
        return _pid_alive(stage.meta())
    except OSError:
        return True  # cannot tell: never publish a run that may still be writing
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        return error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    finally:
        os.close(fd)  # closing drops a lock taken just now
    return False


def _pid_alive(meta: dict[str, Any]) -> bool:
    pid = meta.get("pid")
    if not isinstance(pid, int) or meta.get("host") != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_stages(records_dir: str | Path) -> list[Stage]:
    """Every staged (not yet published) run under the records folder, oldest name first."""
    staging = Path(records_dir).resolve() / STAGING_DIR
    if not staging.is_dir():
        return []
    return [Stage(p.name, p) for p in sorted(staging.iterdir()) if p.is_dir()]


def orphaned_stages(records_dir: str | Path) -> list[Stage]:
    """Staged runs whose owner is gone (killed, crashed, power loss): they are to be published."""
    return [stage for stage in list_stages(records_dir) if not owner_alive(stage)]


@contextlib.contextmanager
def publishing(stage: Stage) -> Iterator[bool]:
    """Hold the stage's publish lock, so two publishers never publish one stage; yields False if taken."""
    try:
        fd = os.open(stage.dir / PUBLISH_LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    except FileNotFoundError:  # published and removed meanwhile
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
