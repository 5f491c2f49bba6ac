"""Where records live and what they are called: names, file modes, the index reader, the records folder.

The records folder is `$ZDLIB_RECORDS_DIR` when set, else `<repository>/records` (never under `notebooks/`):
`records_home` is the one place that decides it, for the kit, the runner, `zdlib lab` and `zdlib demo`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zdlib.record.channel import GROUP_READABLE_VARIABLE, RECORDS_VARIABLE

STAGING_DIR = ".staging"
INDEX_NAME = "index.jsonl"
MAX_TARGET_CHARS = 48
HASH_CHARS = 8
PACKAGE_REPO_ROOT = Path(__file__).resolve().parents[2]  # the repository zdlib is installed from


# -- the index -------------------------------------------------------------------------------------
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


def sha256_file(path: Path) -> str:
    """The file's sha256 (hex), read in blocks: what the index's `hashes` hold for each published file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the records folder ----------------------------------------------------------------------------
def repository_of(runbook: str, cwd: Path | None = None) -> Path | None:
    """The folder whose `notebooks/` holds this runbook: the working folder or one above it, else the
    repository zdlib is installed from; None when there is none."""
    here = (cwd or Path.cwd()).resolve()
    for folder in [here, *here.parents, PACKAGE_REPO_ROOT]:
        if (folder / "notebooks" / f"{runbook}.ipynb").is_file():
            return folder
    return None


def repository_of_notebook(notebook: Path) -> Path:
    """The folder holding `notebooks/` when the notebook lives there, else the current directory."""
    if notebook.parent.name == "notebooks":
        return notebook.parent.parent
    return Path.cwd().resolve()


def records_home(root: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The one records folder: `$ZDLIB_RECORDS_DIR`, else `<root>/records` (root: the repository;
    the current directory when None)."""
    configured = (os.environ if environ is None else environ).get(RECORDS_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    return (root or Path.cwd()).resolve() / "records"


def runbook_records(runbook: str, environ: Mapping[str, str] | None = None) -> Path:
    """The records folder of a run of `runbook` (the kit knows the runbook's name, not its path)."""
    return records_home(repository_of(runbook), environ)


# -- permissions -----------------------------------------------------------------------------------
def group_readable(environ: Mapping[str, str] | None = None) -> bool:
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


def write_private(path: Path, text: str) -> None:
    """Write a file readable by the operator only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


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

    Short values are kept whole. A long one (a URL) drops its scheme and host and keeps its start and its
    end, where issue numbers and ids are (`gitlab-com-team--issues-4242`), joined by `--`, with a short
    hash of the whole value, so two long targets never share a name (first-use F17: the start was lost).
    """
    slug = slugify(target)
    if len(slug) <= MAX_TARGET_CHARS:
        return slug
    text = str(target)
    without_host = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", text, flags=re.IGNORECASE)
    words = slugify(without_host)
    digest = hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]
    room = MAX_TARGET_CHARS - HASH_CHARS - 3  # two dashes between start and end, one before the hash
    if len(words) <= room + 2:
        return f"{words}-{digest}"
    end = words[-(room // 2) :].lstrip("-")
    start = words[: room - len(end)].rstrip("-")
    return f"{start}--{end}-{digest}"


def record_name(started: datetime, runbook: str, target: Any) -> str:
    """`20261128T120301Z_deactivate_automation_12345`."""
    return f"{utc_stamp(started)}_{slugify(runbook, 'runbook').replace('-', '_')}_{target_slug(target)}"


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
