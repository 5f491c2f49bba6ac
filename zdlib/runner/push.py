"""Pushing published records to the team's records project: one atomic commit per run, never lost or doubled.

A run to push is marked pending (`records/.push-pending/<name>`) before it is tried and unmarked once the
project holds it; pending runs go oldest first (index order), at the end of every run, at `zdlib records`
and at `zdlib records push`. What is pushed is exactly what the index line vouches for: every file whose
sha256 the line holds (the records already redacted and scanned), the line itself appended to the project's
`index.jsonl` (byte for byte), and the project's `index.html` rebuilt from its index. A file present in the
project with another sha256 is refused, never overwritten; a record already there is not committed again;
a commit raced by another operator's is retried from a fresh read (its index line appended again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from zdlib.record.layout import INDEX_NAME, sha256_file
from zdlib.runner.index_page import render_index
from zdlib.runner.remote import Conflict, RecordsProject, RemoteError, RemoteSettings, create, update

PENDING_DIR = ".push-pending"
PAGE = "index.html"
MAX_ATTEMPTS = 5  # commits raced by other operators' before the run is left pending


class PushState(StrEnum):
    """What became of one run's push."""

    LANDED = "landed"
    PRESENT = "already in the project"
    PENDING = "pending"
    REFUSED = "refused"

    @property
    def done(self) -> bool:
        return self in (PushState.LANDED, PushState.PRESENT)


@dataclass(frozen=True)
class PushOutcome:
    """One run's push: its state, why, the commit and the record's pages in GitLab."""

    name: str
    state: PushState
    detail: str = ""
    commit: str = ""
    urls: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f" {self.urls.get('html') or self.urls.get('ipynb') or ''}".rstrip()
        return f"{self.name}: {self.state}{where}" + (f" ({self.detail})" if self.detail else "")


class Refused(Exception):
    """The run must not be pushed as it is; the message says why and what to do."""


# -- the pending markers ---------------------------------------------------------------------------
def _marker(records_dir: Path, name: str) -> Path:
    return records_dir / PENDING_DIR / name


def mark_pending(records_dir: Path, name: str, issue: str = "") -> None:
    """Mark a published run as not yet in the project (a private file named after it); `issue`: the access
    request whose comment said the record is pending, told by a follow-up note when it lands."""
    folder = records_dir / PENDING_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(_marker(records_dir, name), os.O_CREAT | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if issue:
            handle.truncate()
            handle.write(json.dumps({"issue": issue}))


def _issue_of(records_dir: Path, name: str) -> str:
    try:
        return str(
            json.loads(_marker(records_dir, name).read_text(encoding="utf-8") or "{}").get("issue") or ""
        )
    except (OSError, ValueError, AttributeError):
        return ""


def follow_up(
    issue: str, entry: Mapping[str, Any], outcome: PushOutcome, secrets: Iterable[str], environ: Any
) -> None:
    """Tell the access request that its record has landed (the comment said it was pending); a failure to
    post is left unsaid: the record is in the project, and verify --remote shows it."""
    from zdlib.approval.comment import post_outcome, pushed_body
    from zdlib.approval.errors import SourceError
    from zdlib.approval.gitlab_source import gitlab_settings

    try:
        settings = gitlab_settings(environ)
    except SourceError:
        return
    if settings is not None:
        body = pushed_body(
            str(entry.get("name")), str(entry.get("sha256") or ""), outcome.urls, outcome.commit
        )
        post_outcome(settings, issue, body, secrets)


def pending_names(records_dir: Path) -> list[str]:
    """The runs marked pending, oldest first (the index's order)."""
    folder = records_dir / PENDING_DIR
    marked = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    return [name for name in _index_names(records_dir) if name in marked]


def _index_names(records_dir: Path) -> list[str]:
    return [str(json.loads(line).get("name")) for line in _index_lines(records_dir)]


def _index_lines(records_dir: Path) -> list[str]:
    index = records_dir / INDEX_NAME
    if not index.is_file():
        return []
    return [line for line in index.read_text(encoding="utf-8").splitlines() if _is_entry(line)]


def _is_entry(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


# -- one run -----------------------------------------------------------------------------------------
def _files(records_dir: Path, entry: Mapping[str, Any], secrets: Iterable[str]) -> dict[str, bytes]:
    """The files the line vouches for, read and checked: each still matches its sha256, none holds a
    secret (the records project is shared: a record that slipped past the scan must not reach it)."""
    files: dict[str, bytes] = {}
    for name, digest in (entry.get("hashes") or {}).items():
        path = records_dir / name
        if not path.is_file() or sha256_file(path) != digest:
            raise Refused(
                f"{name} is missing or no longer matches its index line's sha256: run `zdlib records verify`"
            )
        files[name] = path.read_bytes()
    _refuse_secrets(files, secrets)
    return files


def _refuse_secrets(texts: Mapping[str, bytes], secrets: Iterable[str]) -> None:
    """Refused when any text to push (a file, the index line, the commit message) holds a secret."""
    for name, data in texts.items():
        if any(secret and secret.encode() in data for secret in secrets):
            raise Refused(f"{name} holds a configured secret: it is not pushed; redact it and tell security")


def _message(entry: Mapping[str, Any]) -> str:
    approval = entry.get("approval") or {}
    request = approval.get("access_request_url") if isinstance(approval, Mapping) else None
    return (
        f"Record {entry.get('name')}: {entry.get('runbook')} on {entry.get('target') or 'no target'}, "
        f"outcome {entry.get('outcome')}\n\n"
        f"Access request: {request or 'none'}\nsha256: {entry.get('sha256')}\n"
    )


def _lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]


def _present(project: RecordsProject, entry: Mapping[str, Any], remote_lines: list[str]) -> bool:
    """True when the project's index already lists the run with the same sha256; Refused on another."""
    for line in remote_lines:
        try:
            theirs = json.loads(line)
        except ValueError:
            continue
        if isinstance(theirs, dict) and theirs.get("name") == entry.get("name"):
            if theirs.get("sha256") == entry.get("sha256") and theirs.get("hashes") == entry.get("hashes"):
                return True
            raise Refused(
                f"{project.settings.project}'s index already lists {entry.get('name')} with another sha256: "
                "someone else's or a tampered record; it is not overwritten. Compare with "
                "`zdlib records verify --remote`."
            )
    return False


def _actions(project: RecordsProject, files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """A `create` per file not yet there; a file there with another sha256 is refused."""
    actions = []
    for name, data in files.items():
        found = project.file(name)
        if found is None:
            actions.append(create(name, data))
        elif found.content_sha256 != _sha256(data):
            raise Refused(
                f"{name} is in {project.settings.project} with another sha256 "
                f"({found.content_sha256[:12]}...): someone else's or a tampered record; "
                "it is not overwritten"
            )
    return actions


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def push_line(project: RecordsProject, records_dir: Path, line: str, secrets: Iterable[str]) -> PushOutcome:
    """Push one run (its index line as written); retried from a fresh read when another commit races it."""
    entry = json.loads(line)
    name = str(entry.get("name"))
    urls = {
        kind: project.url(file)
        for kind, file in (entry.get("records") or {}).items()
        if isinstance(file, str)
    }
    secrets = [*secrets, project.settings.gitlab.token]
    try:
        files = _files(records_dir, entry, secrets)
        _refuse_secrets(
            {"its index line": line.encode(), "its commit message": _message(entry).encode()}, secrets
        )
        for _attempt in range(MAX_ATTEMPTS):
            index, index_commit = project.read(INDEX_NAME)
            remote_lines = _lines(index)
            if _present(project, entry, remote_lines):
                return PushOutcome(name, PushState.PRESENT, urls=urls)
            new_index = "".join(f"{text}\n" for text in [*remote_lines, line]).encode()
            page = render_index([json.loads(text) for text in [*remote_lines, line] if _is_entry(text)])
            _, page_commit = project.read(PAGE)
            actions = [*_actions(project, files), update(INDEX_NAME, new_index, index_commit)]
            actions.append(update(PAGE, page.encode(), page_commit))
            try:
                commit = project.commit(_message(entry), actions)
            except Conflict:
                continue
            return PushOutcome(name, PushState.LANDED, commit=commit, urls=urls)
        return PushOutcome(
            name, PushState.PENDING, f"{MAX_ATTEMPTS} commits raced by others' in a row", urls=urls
        )
    except Refused as exc:
        return PushOutcome(name, PushState.REFUSED, str(exc), urls=urls)


def push_pending(
    records_dir: Path,
    settings: RemoteSettings,
    secrets: Iterable[str] = (),
    gl: Any = None,
    environ: Mapping[str, str] | None = None,
) -> list[PushOutcome]:
    """Push every pending run, oldest first; a run that lands (or is there) is unmarked. Stops at the
    first failure to reach GitLab (the rest stay pending, in order); a refused run stays marked."""
    names = pending_names(records_dir)
    if not names:
        return []
    lines = {str(json.loads(line).get("name")): line for line in _index_lines(records_dir)}
    outcomes: list[PushOutcome] = []
    secrets = list(secrets)
    try:
        project = RecordsProject(settings, gl)
        for name in names:
            outcome = push_line(project, records_dir, lines[name], secrets)
            outcomes.append(outcome)
            if outcome.state.done:
                issue = _issue_of(records_dir, name)
                if issue and outcome.state is PushState.LANDED:
                    follow_up(issue, json.loads(lines[name]), outcome, secrets, environ)
                _marker(records_dir, name).unlink(missing_ok=True)
    except RemoteError as exc:
        done = {outcome.name for outcome in outcomes}
        outcomes += [PushOutcome(name, PushState.PENDING, str(exc)) for name in names if name not in done]
    return outcomes


def mark_all(records_dir: Path) -> int:
    """Mark every run of the index pending (`zdlib records push --all`: records from before pushing)."""
    names = _index_names(records_dir)
    for name in names:
        mark_pending(records_dir, name)
    return len(names)
