"""The look-alike's records project: a Git repository's files and commits, as GitLab's REST API serves them.

The subset `zdlib records push` and `verify --remote` use, shaped as GitLab documents it:
- Projects API, "Get a single project": `GET /projects/:id`, `:id` a number or the URL-encoded path
  (https://docs.gitlab.com/api/projects/#get-a-single-project, "namespaced path encoding").
- Commits API, "Create a commit with multiple files and actions": `POST /projects/:id/repository/commits`
  with `branch`, `commit_message`, `actions[]` of `create`/`update`/`delete` (`file_path`, `content`,
  `encoding` `text` or `base64`, `last_commit_id` considered on `update` and `delete`); 400 "A file with
  this name already exists" on creating an existing file, 400 on an action whose `last_commit_id` is not
  the file's last commit (https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions).
- Commits API, "List repository commits": `GET /projects/:id/repository/commits`, newest first.
- Repository files API, "Get file from repository" (`GET .../repository/files/:file_path?ref=`:
  base64 `content`, `content_sha256`, `blob_id`, `commit_id`, `last_commit_id`; 404 "404 File Not Found")
  and "Get raw file from repository" (`.../raw`) (https://docs.gitlab.com/api/repository_files/).
- Repositories API, "List repository tree": `GET /projects/:id/repository/tree` (`path`, `recursive`), one
  page with GitLab's pagination headers (https://docs.gitlab.com/api/repositories/#list-repository-tree).
Faults for tests (`/sandbox/gitlab/records/interpose`): another operator's commit lands between a client's
read and its commit, so its `last_commit_id` is stale.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from zdlib.sandbox.clock import Clock

RECORDS_PROJECT_ID = 278990
RECORDS_PROJECT_PATH = "gitlab-com/support/customer-support-operations/zendesk-records"
BRANCH = "main"
INDEX = "index.jsonl"
ALREADY_EXISTS = "A file with this name already exists"
CHANGED = (
    "You are attempting to update a file that has changed since you started editing it."  # GitLab's words
)
#: the line the interposed commit appends: a record of another operator (a foreign run in the team project)
FOREIGN_LINE = {"name": "interposed_other_operator_run", "runbook": "other", "outcome": "applied"}


class RepositoryError(Exception):
    """A refusal as GitLab answers it: status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Blob:
    content: bytes
    last_commit_id: str


@dataclass
class RecordsRepository:
    """The records project's default branch: files, commits (oldest first) and armed interpositions."""

    clock: Clock
    web_host: str
    files: dict[str, Blob] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)
    interpose: int = 0  # commits of "another operator" to land before the next commits to come

    def project(self) -> dict[str, Any]:
        return {
            "id": RECORDS_PROJECT_ID,
            "name": "zendesk-records",
            "path": "zendesk-records",
            "path_with_namespace": RECORDS_PROJECT_PATH,
            "web_url": f"{self.web_host}/{RECORDS_PROJECT_PATH}",
            "visibility": "private",
            "default_branch": BRANCH,
        }

    def head(self) -> str | None:
        return self.commits[-1]["id"] if self.commits else None

    # -- Commits API ----------------------------------------------------------------------------------
    def commit(self, body: dict[str, Any], author: dict[str, Any]) -> dict[str, Any]:
        """Apply every action or none (a commit is atomic); RepositoryError(400) names what was refused."""
        if body.get("branch") != BRANCH:
            raise RepositoryError(400, "You can only create or edit files when you are on a branch")
        actions = body.get("actions")
        message = body.get("commit_message")
        if not isinstance(actions, list) or not actions or not isinstance(message, str) or not message:
            raise RepositoryError(400, "commit_message, actions are missing")
        while self.interpose > 0:
            self.interpose -= 1
            self._foreign_commit()
        staged = {path: self._action(action) for action in actions for path in [_path(action)]}
        return self._land(staged, message, author)

    def _action(self, action: Any) -> bytes | None:
        """The file's new bytes (None: deleted), or RepositoryError as GitLab refuses the action."""
        path = _path(action)
        kind = action.get("action")
        if kind == "create" and path in self.files:
            raise RepositoryError(400, ALREADY_EXISTS)
        if kind in ("update", "delete"):
            if path not in self.files:
                raise RepositoryError(400, "A file with this name doesn't exist")
            last = action.get("last_commit_id")
            if last is not None and last != self.files[path].last_commit_id:
                raise RepositoryError(400, CHANGED)
            if kind == "delete":
                return None
        elif kind != "create":
            raise RepositoryError(400, f"actions[action] does not have a valid value ({kind!r})")
        return _content(action)

    def _land(self, staged: dict[str, bytes | None], message: str, author: dict[str, Any]) -> dict[str, Any]:
        parent = self.head()
        digest = hashlib.sha1(f"{parent}\n{message}\n{len(self.commits)}".encode())
        for path, data in sorted(staged.items()):
            digest.update(path.encode() + b"\0" + (data if data is not None else b"\1deleted"))
        sha = digest.hexdigest()
        for path, data in staged.items():
            if data is None:
                del self.files[path]
            else:
                self.files[path] = Blob(data, sha)
        when = self.clock.now().astimezone().isoformat(timespec="milliseconds")
        commit = {
            "id": sha,
            "short_id": sha[:8],
            "title": message.splitlines()[0],
            "message": message,
            "author_name": author.get("name"),
            "author_email": author.get("public_email"),
            "authored_date": when,
            "committer_name": author.get("name"),
            "committer_email": author.get("public_email"),
            "committed_date": when,
            "created_at": when,
            "parent_ids": [parent] if parent else [],
            "web_url": f"{self.project()['web_url']}/-/commit/{sha}",
        }
        self.commits.append(commit)
        return commit

    def _foreign_commit(self) -> None:
        """Another operator's run lands: one line appended to the index (what makes a client's id stale)."""
        current = self.files[INDEX].content if INDEX in self.files else b""
        line = json.dumps({**FOREIGN_LINE, "name": f"{FOREIGN_LINE['name']}_{len(self.commits)}"})
        staged = {INDEX: current + line.encode() + b"\n"}
        self._land(staged, "Record of another operator's run", {"name": "Alan Agent"})

    # -- Repository files and tree --------------------------------------------------------------------
    def file(self, path: str) -> dict[str, Any]:
        blob = self._blob(path)
        return {
            "file_name": path.rsplit("/", 1)[-1],
            "file_path": path,
            "size": len(blob.content),
            "encoding": "base64",
            "content": base64.b64encode(blob.content).decode(),
            "content_sha256": hashlib.sha256(blob.content).hexdigest(),
            "ref": BRANCH,
            "blob_id": _blob_id(blob.content),
            "commit_id": self.head(),
            "last_commit_id": blob.last_commit_id,
        }

    def raw(self, path: str) -> bytes:
        return self._blob(path).content

    def _blob(self, path: str) -> Blob:
        blob = self.files.get(path)
        if blob is None:
            raise RepositoryError(404, "404 File Not Found")
        return blob

    def tree(self, folder: str = "", recursive: bool = False) -> list[dict[str, Any]]:
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        entries: dict[str, dict[str, Any]] = {}
        for path, blob in sorted(self.files.items()):
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :].split("/")
            if len(rest) == 1 or recursive:
                entries[path] = {"id": _blob_id(blob.content), "name": rest[-1], "type": "blob",
                                 "path": path, "mode": "100644"}  # fmt: skip
            if len(rest) > 1:
                sub = prefix + rest[0]
                entries.setdefault(
                    sub, {"id": "", "name": rest[0], "type": "tree", "path": sub, "mode": "040000"}
                )
        return list(entries.values())


def _path(action: Any) -> str:
    path = action.get("file_path") if isinstance(action, dict) else None
    if not isinstance(path, str) or not path.strip("/") or ".." in path.split("/"):
        raise RepositoryError(400, "actions[file_path] is invalid")
    return path.strip("/")


def _content(action: dict[str, Any]) -> bytes:
    content = action.get("content", "")
    if not isinstance(content, str):
        raise RepositoryError(400, "actions[content] is invalid")
    if action.get("encoding", "text") == "base64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise RepositoryError(400, "actions[content] is not valid base64") from None
    return content.encode()


def _blob_id(data: bytes) -> str:
    """Git's blob id: sha1 of `blob <size>\\0` and the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
