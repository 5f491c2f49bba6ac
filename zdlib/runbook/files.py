"""Side files of a record (snapshots, exports) and the run's private channels to the runner."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zdlib import redact
from zdlib.record.channel import Channel
from zdlib.record.layout import runbook_records
from zdlib.record.summary import CHECKPOINT_SUFFIX
from zdlib.redact import redact_data

_OWN_CHANNEL: Channel | None = None  # an interactive run's (JupyterLab has no runner to set one)


def channel() -> Channel:
    """Where this run's record, secrets and hand-offs go: the runner's channel (from the kernel's
    environment), or the one an interactive run set for itself (`use_channel`)."""
    return _OWN_CHANNEL if _OWN_CHANNEL is not None else Channel.from_env()


def use_channel(own: Channel | None) -> None:
    """An interactive run's own channel for the rest of this kernel's life (None: the environment's)."""
    global _OWN_CHANNEL
    _OWN_CHANNEL = own


def records_dir(runbook: str) -> Path:
    """The records folder this run reads and writes (the runner's or the lab's, else the repository's)."""
    configured = channel().records_dir
    return configured.expanduser().resolve() if configured else runbook_records(runbook)


def record_stem(runbook: str) -> Path:
    """Where this run's side files go: the runner's stem, or records/interactive/ for a live session."""
    stem = channel().record_stem
    if stem is not None:
        return stem
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return records_dir(runbook) / "interactive" / f"{stamp}_{runbook}"


def write_side_file(stem: Path, name: str, payload: Any) -> Path:
    """Write `<stem>.<name>.json` (secrets removed) and return its path."""
    path = stem.with_name(f"{stem.name}.{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(redact_data(payload), indent=2, sort_keys=True, default=str) + "\n")
    return path


def write_checkpoint(stem: Path, summary: dict[str, Any]) -> Path:
    """`<stem>.checkpoint.json`: the run as it stands before or after a write, kept durable (fsync, then
    an atomic rename) so a runner killed mid-write, or a machine losing power, still leaves it to publish."""
    path = stem.with_name(f"{stem.name}.{CHECKPOINT_SUFFIX}")
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp")  # not `<name>.*`: never published half-written
    fd = os.open(scratch, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(redact_data(summary), indent=2, sort_keys=True, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(scratch, path)
    return path


def side_path(stem: Path, name: str) -> Path:
    """The path of a side file with its own extension, e.g. `<stem>.users.csv`."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    return stem.with_name(f"{stem.name}.{name}")


def register_secret(label: str, value: str) -> None:
    """Tell the runner about a secret created in this run, so it can prove the record is free of it.

    The process's redaction learns it too (``zdlib.redact.register_secret``); secrets the client
    registers itself (tokens it obtains, secrets in write answers) reach the runner via the listener.
    """
    if not redact.register_secret(label, value):  # already known: its listener call wrote it then
        _tell_runner(label, value)


def _tell_runner(label: str, value: str) -> None:
    """Append one secret to the runner's secrets file (ZDLIB_RUN_SECRETS), if the runner gave one."""
    target = channel().secrets_file
    if target is None or not value:
        return
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as stream:
        stream.write(json.dumps({"label": label, "value": value}) + "\n")


redact.add_secret_listener(_tell_runner)  # every secret born in this kernel reaches the runner's scan
