"""`zdlib records push [--all]`, `zdlib records verify --remote`, and pending runs sent at `zdlib records`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from zdlib.runner.pull import PullRefused, pull
from zdlib.runner.push import PushOutcome, mark_all, pending_names, push_pending
from zdlib.runner.remote import PROJECT_VARIABLE, RecordsProject, RemoteError, remote_settings
from zdlib.runner.remote_verify import verify_remote


def _settings(command: str) -> Any:
    """The records project's settings, or None after saying why there are none."""
    try:
        settings = remote_settings()
    except RemoteError as exc:
        print(f"zdlib records {command}: {exc}", file=sys.stderr)
        return None
    if settings is None:
        print(
            f"zdlib records {command}: {PROJECT_VARIABLE} is not set: set it to the team's records project "
            "(a path on GITLAB_URL, e.g. my-group/zendesk-records) in the environment or .env",
            file=sys.stderr,
        )
    return settings


def main_push(folder: Path, secrets: Iterable[Any], every: bool) -> int:
    """Push what is pending (with `every`: every run of the index); exit 1 unless all of it is there."""
    settings = _settings("push")
    if settings is None:
        return 2
    if every:
        mark_all(folder)
    outcomes = push_pending(folder, settings, [s.value for s in secrets])
    if not outcomes:
        print(f"nothing to push in {folder}")
    for outcome in outcomes:
        print(str(outcome), file=sys.stdout if outcome.state.done else sys.stderr)
    return 0 if all(outcome.state.done for outcome in outcomes) else 1


def push_quietly(folder: Path, secrets: Iterable[Any]) -> list[PushOutcome]:
    """At `zdlib records`: send what is pending when pushing is configured; say what stays pending."""
    if not pending_names(folder):
        return []
    try:
        settings = remote_settings()
    except RemoteError as exc:
        print(f"records not pushed: {exc}", file=sys.stderr)
        return []
    outcomes = push_pending(folder, settings, [s.value for s in secrets]) if settings else []
    for outcome in outcomes:
        if not outcome.state.done:
            print(f"not yet in the records project: {outcome}", file=sys.stderr)
    return outcomes


def _on_project(command: str, act: Callable[[RecordsProject], list[str]], refused: tuple = ()) -> int:
    """Run `act` against the records project; print what it says. Exit 2 without a project, 1 when the
    project cannot be read or the command is refused (its first line on stderr), else 0."""
    settings = _settings(command)
    if settings is None:
        return 2
    try:
        said = act(RecordsProject(settings))
    except (RemoteError, *refused) as exc:
        print(f"zdlib records {command}: {exc}", file=sys.stderr)
        return 1
    for line in said:
        print(line)
    return 0


def main_verify_remote(folder: Path) -> int:
    """Name every difference between the local records and the project; exit 1 on any."""

    def verify(project: RecordsProject) -> list[str]:
        differences = verify_remote(folder, project)
        if differences:
            raise Differs("\nzdlib records verify --remote: ".join(differences))
        return [f"{folder} and {project.settings.project} hold the same index lines and files"]

    return _on_project("verify --remote", verify, (Differs,))


class Differs(Exception):
    """`verify --remote` found differences (the message names each)."""


def main_pull(folder: Path) -> int:
    """Bring the records project's runs the folder lacks; exit 1 when refused (nothing written)."""

    def bring(project: RecordsProject) -> list[str]:
        pulled = pull(folder, project)
        if not pulled.runs:
            return [f"{folder} already holds every run of {project.settings.project}"]
        where = f"from {project.settings.project} into {folder}"
        return [f"pulled {len(pulled.runs)} runs ({pulled.files} files) {where}"]

    return _on_project("pull", bring, (PullRefused,))
