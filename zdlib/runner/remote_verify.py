"""`zdlib records verify --remote`: the local index and files against the records project's copy.

The project's `index.jsonl` holds every pushed line byte for byte, so a local line edited after its push
(the newest one included: security report M4, the head the local folder cannot anchor alone), removed or
inserted shows as a difference, and so does a file whose sha256 differs on either side, a file missing in
the project, and a record on one side only. Reads: Repository files API "Get file from repository"
(`content_sha256`) and Repositories API "List repository tree" (https://docs.gitlab.com/api/repositories/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zdlib.record.layout import INDEX_NAME, sha256_file
from zdlib.runner.push import PAGE, pending_names
from zdlib.runner.remote import RecordsProject

#: files of the project that are not records: its index, page, and what a team keeps beside them
NOT_RECORDS = {INDEX_NAME, PAGE, ".gitlab-ci.yml", "README.md"}


def _by_name(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        try:
            name = str(json.loads(line).get("name"))
        except (ValueError, AttributeError):
            name = f"<unreadable line {number}>"
        found[name] = line
    return found


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def index_differences(local: list[str], remote: list[str], pending: set[str]) -> list[str]:
    """Every index line that is not the same on both sides (pure: testable without GitLab)."""
    mine, theirs = _by_name(local), _by_name(remote)
    found = []
    for name, line in mine.items():
        if name not in theirs:
            why = "pending push: run `zdlib records push`" if name in pending else "never pushed, or removed"
            found.append(f"{name}: only in the local index ({why})")
        elif theirs[name] != line:
            found.append(f"{name}: its index line differs between the local index and the project (edited)")
    found += [f"{name}: only in the project's index" for name in theirs if name not in mine]
    shared = [name for name in mine if name in theirs]
    if shared != [name for name in theirs if name in mine]:
        found.append("the lines both sides hold are in another order in the project (a line was moved)")
    return found


def file_differences(records_dir: Path, project: RecordsProject, local: list[str]) -> list[str]:
    """Each pushed file's sha256 here, in its index line and in the project."""
    found = []
    for line in local:
        entry: dict[str, Any] = json.loads(line)
        for name, digest in (entry.get("hashes") or {}).items():
            path = records_dir / name
            here = sha256_file(path) if path.is_file() else None
            remote = project.file(name)
            there = str(remote.content_sha256) if remote is not None else None
            if there is None:
                found.append(f"{name}: missing in the project")
            elif there != digest:
                found.append(f"{name}: the project's copy does not match its index line's sha256")
            if here != digest:
                found.append(f"{name}: the local file is missing or does not match its index line's sha256")
    return found


def remote_strays(project: RecordsProject, listed: set[str]) -> list[str]:
    """Files the project holds that no line of its index lists (Repositories API, "List repository tree")."""
    tree = project.project.repository_tree(ref=project.branch, get_all=True)
    names = [item["path"] for item in tree if item.get("type") == "blob"]
    return [f"{name}: in the project, but no index line lists it" for name in names if name not in listed]


def verify_remote(records_dir: Path, project: RecordsProject) -> list[str]:
    """Every difference between the local records and the project's copy (empty: they agree)."""
    local = _read_lines(records_dir / INDEX_NAME)
    data, _ = project.read(INDEX_NAME)
    remote = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    found = index_differences(local, remote, set(pending_names(records_dir)))
    pushed = set(_by_name(remote))
    shared = [line for name, line in _by_name(local).items() if name in pushed]
    found += file_differences(records_dir, project, shared)
    listed = {file for line in remote for file in (_hashes(line))} | NOT_RECORDS
    return found + remote_strays(project, listed)


def _hashes(line: str) -> list[str]:
    try:
        return list((json.loads(line).get("hashes") or {}).keys())
    except (ValueError, AttributeError):
        return []
