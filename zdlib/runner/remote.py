"""The team's records project on GitLab, reached with python-gitlab: settings, reads and one atomic commit.

`ZDLIB_RECORDS_PROJECT` (a project path on `GITLAB_URL`) turns pushing on; the token is
`ZDLIB_RECORDS_TOKEN`, else `GITLAB_TOKEN` (it needs the `api` scope to commit), from the environment or
`.env`. Calls used, as GitLab documents them: Projects API "Get a single project" by URL-encoded path
(`gl.projects.get(path)`); Repository files API "Get file from repository" (`project.files.get`, whose
`content_sha256` and `last_commit_id` this reads; https://docs.gitlab.com/api/repository_files/); Commits
API "Create a commit with multiple files and actions" (`project.commits.create`; a stale `last_commit_id`
on an `update`, or a `create` of an existing file, is refused with 400;
https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from zdlib.approval.errors import SourceError
from zdlib.approval.gitlab_source import GitLabSettings, connect, describe_error, gitlab_settings
from zdlib.config import read_settings
from zdlib.redact import register_secret

PROJECT_VARIABLE = "ZDLIB_RECORDS_PROJECT"
TOKEN_VARIABLE = "ZDLIB_RECORDS_TOKEN"
#: GitLab's 400 messages for a commit that raced another one (Commits API; the look-alike says the same)
CONFLICTS = ("already exists", "has changed since", "changed since you started editing")


class RemoteError(Exception):
    """The records project could not be reached or read; the message says what to do. Never a secret."""


class Conflict(RemoteError):
    """Another commit landed between our read and our commit: read again and retry."""


@dataclass(frozen=True)
class RemoteSettings:
    """Which project, on which GitLab, with which token (never shown)."""

    project: str
    gitlab: GitLabSettings = field(repr=False)


def remote_settings(environ: Mapping[str, str] | None = None) -> RemoteSettings | None:
    """The records project's settings, or None when `ZDLIB_RECORDS_PROJECT` is not set."""
    values = read_settings("ZDLIB_RECORDS_", environ=environ)
    project = values.get(PROJECT_VARIABLE, "").strip("/")
    if not project:
        return None
    try:
        settings = gitlab_settings(environ)
    except SourceError as exc:
        raise RemoteError(str(exc)) from None
    if settings is None:
        raise RemoteError(
            f"{PROJECT_VARIABLE} is set but GITLAB_URL is not: set GITLAB_URL (and {TOKEN_VARIABLE} or "
            f"GITLAB_TOKEN, with the api scope), or unset {PROJECT_VARIABLE} to keep records local only."
        )
    token = values.get(TOKEN_VARIABLE, "")
    if token:
        register_secret(TOKEN_VARIABLE, token)
        settings = replace(settings, token=token)
    return RemoteSettings(project, settings)


class RecordsProject:
    """The project's default branch: its files (bytes, sha256, last commit) and a commit of actions."""

    def __init__(self, settings: RemoteSettings, gl: Any = None) -> None:
        self.settings = settings
        self._gl = gl or connect(settings.gitlab)
        self.project = self._call(f"the records project {settings.project}", self._project)
        self.branch = str(getattr(self.project, "default_branch", None) or "main")
        self.web_url = str(self.project.web_url)

    def _project(self) -> Any:
        return self._gl.projects.get(self.settings.project)

    def _call(self, what: str, fn: Any) -> Any:
        import gitlab

        try:
            return fn()
        except gitlab.exceptions.GitlabError as exc:
            text = str(getattr(exc, "error_message", ""))
            if exc.response_code == 400 and any(c in text for c in CONFLICTS):
                raise Conflict(text) from None
            raise RemoteError(describe_error(exc, what, self.settings.gitlab)) from None
        except Exception as exc:
            raise RemoteError(describe_error(exc, what, self.settings.gitlab)) from None

    def url(self, path: str) -> str:
        """The file's page in GitLab (a notebook is rendered there)."""
        return f"{self.web_url}/-/blob/{quote(self.branch)}/{quote(path)}"

    def file(self, path: str) -> Any | None:
        """The file's metadata and content on the branch, or None when it is not there (404)."""
        import gitlab

        def get() -> Any:
            try:
                return self.project.files.get(file_path=path, ref=self.branch)
            except gitlab.exceptions.GitlabGetError as exc:
                if exc.response_code == 404:
                    return None
                raise

        return self._call(f"{path} in {self.settings.project}", get)

    def read(self, path: str) -> tuple[bytes, str | None]:
        """The file's bytes and last commit id; (b"", None) when it does not exist yet."""
        found = self.file(path)
        if found is None:
            return b"", None
        return base64.b64decode(found.content), str(found.last_commit_id)

    def commit(self, message: str, actions: list[dict[str, Any]]) -> str:
        """One atomic commit on the default branch; Conflict when another commit raced it."""
        data = {"branch": self.branch, "commit_message": message, "actions": actions}
        made = self._call(f"a commit to {self.settings.project}", lambda: self.project.commits.create(data))
        return str(made.id)


def create(path: str, data: bytes) -> dict[str, Any]:
    """A `create` action, the bytes as base64 (records are not always text)."""
    return {
        "action": "create",
        "file_path": path,
        "content": base64.b64encode(data).decode(),
        "encoding": "base64",
    }


def update(path: str, data: bytes, last_commit_id: str | None) -> dict[str, Any]:
    """An `update` (or `create` when the file is new); `last_commit_id` makes a raced update fail."""
    if last_commit_id is None:
        return create(path, data)
    return {**create(path, data), "action": "update", "last_commit_id": last_commit_id}
