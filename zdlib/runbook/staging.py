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
import hashlib
import json
import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import zdlib

STAGING_DIR = ".staging"
INDEX_NAME = "index.jsonl"
RECORDS_VARIABLE = "ZDLIB_RECORDS_DIR"  # the records folder; set by the runner and by `zdlib lab`
RECORD_STEM_VARIABLE = "ZDLIB_RECORD_STEM"  # the record to be, without suffix: set for a headless run only
RUN_SECRETS_VARIABLE = "ZDLIB_RUN_SECRETS"  # the stage's secrets file, where the kit registers new secrets
META_NAME = "run.json"
SECRETS_NAME = "run-secrets.jsonl"
LOCK_NAME = "owner.lock"
PUBLISH_LOCK_NAME = "publish.lock"
GROUP_READABLE_VARIABLE = "ZDLIB_RECORDS_GROUP_READABLE"
MAX_TARGET_CHARS = 48
HASH_CHARS = 8

_HELD: dict[Path, int] = {}  # stage folder -> fd of its held owner lock (this process owns the stage)


def read_index(records_dir: Path) -> list[dict[str, Any]]:
    """Every entry of `records_dir`'s index, oldest first; a damaged line is kept as an entry that says so
    (outcome `?`), so a reader never skips it silently and a look-up never matches it."""
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


def repository_root(runbook: str, cwd: Path | None = None) -> Path | None:
    """The folder whose `notebooks/` holds this runbook: the working folder or one above it, else the
    repository zdlib is installed from; None when there is none."""
    here = (cwd or Path.cwd()).resolve()
    package_root = Path(zdlib.__file__).resolve().parent.parent
    for folder in [here, *here.parents, package_root]:
        if (folder / "notebooks" / f"{runbook}.ipynb").is_file():
            return folder
    return None


def records_home(runbook: str, environ: Any = None) -> Path:
    """The one records folder: `$ZDLIB_RECORDS_DIR`, else `<repository>/records` (never under notebooks/)."""
    configured = (os.environ if environ is None else environ).get(RECORDS_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    root = repository_root(runbook) or Path.cwd().resolve()
    return root / "records"


class StageMode(StrEnum):
    """Who runs the staged notebook."""

    HEADLESS = "headless"  # `zdlib run` (papermill)
    INTERACTIVE = "interactive"  # a JupyterLab kernel


# -- permissions -----------------------------------------------------------------------------------
def group_readable(environ: Any = None) -> bool:
    """True when `ZDLIB_RECORDS_GROUP_READABLE` is `1`/`true`/`yes` (a team share); private otherwise."""
    value = (os.environ if environ is None else environ).get(GROUP_READABLE_VARIABLE, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def folder_mode() -> int:
    """The records folder: the operator only (0700), or also the group (0750)."""
    return 0o750 if group_readable() else 0o700


def record_mode() -> int:
    """A published record or side file: read-only, the operator only (0400) or also the group (0440)."""
    return 0o440 if group_readable() else 0o400


def index_mode() -> int:
    """The index is appended to: 0600, or 0640 with the group setting."""
    return 0o640 if group_readable() else 0o600


def ensure_records_dir(records_dir: Path) -> Path:
    """Create the records folder (and its private staging folder) with the configured modes."""
    records_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(records_dir, folder_mode())
    staging = records_dir / STAGING_DIR
    staging.mkdir(exist_ok=True)
    os.chmod(staging, 0o700)  # stages hold unscanned outputs and live secrets: never shared
    return records_dir


# -- names -----------------------------------------------------------------------------------------
def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def slugify(value: Any, fallback: str = "all") -> str:
    """A file-name-safe form of a value: `Acme Corp/EU` -> `acme-corp-eu` (not shortened)."""
    text = "" if value is None else str(value)
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or fallback


def target_slug(target: Any) -> str:
    """The target as it appears in a record name, keeping what identifies it.

    Short values are kept whole. A long one (a URL) drops its scheme and host, keeps its end, where
    issue numbers and ids are (`.../access/-/issues/4242` -> `access-issues-4242`), and adds a short hash
    of the whole value, so two long targets never share a name.
    """
    slug = slugify(target)
    if len(slug) <= MAX_TARGET_CHARS:
        return slug
    text = str(target)
    without_host = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", text, flags=re.IGNORECASE)
    tail = slugify(without_host)
    digest = hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]
    keep = MAX_TARGET_CHARS - HASH_CHARS - 1
    return f"{tail[-keep:].lstrip('-')}-{digest}"


def record_name(started: datetime, runbook: str, target: Any) -> str:
    """`20261128T120301Z_deactivate_automation_12345`."""
    return f"{utc_stamp(started)}_{slugify(runbook, 'runbook').replace('-', '_')}_{target_slug(target)}"


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


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


def write_private(path: Path, text: str) -> None:
    """Write a file readable by the operator only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


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
def publishing(stage: Stage) -> Any:
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
