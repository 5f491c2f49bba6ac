"""The sandbox's GitLab look-alike: access-request issues at `{sandbox URL}/gitlab` (see `api.py`).

Mounted in front of the Zendesk sandbox (`with_gitlab`), outside its rate limits and faults; it has its
own fault control at `/sandbox/gitlab/faults` and is reseeded by `POST /sandbox/reset`. It never imports
the zdlib client or python-gitlab.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from zdlib.sandbox.derived import derive
from zdlib.sandbox.gitlab.api import GitLabApi, json_response
from zdlib.sandbox.gitlab.repository import RECORDS_PROJECT_PATH
from zdlib.sandbox.gitlab.store import Faults, GitLabStore, PendingChange

POLICY_FILE = Path(__file__).with_name("approval-policy.yaml")
CONTROL = "/sandbox/gitlab/"


def gitlab_token(seed: int) -> str:
    """The sandbox operator's GitLab personal access token (derived from the seed, like every secret)."""
    return "glpat-" + derive(seed, "gitlab_token", 20)


def gitlab_env(state: Any, base_url: str) -> dict[str, str]:
    """What a sandbox env file adds: which GitLab answers, the token, and the sandbox's own policy."""
    return {
        "GITLAB_URL": f"{base_url}/gitlab",
        "GITLAB_TOKEN": gitlab_token(state.options.seed),
        "ZDLIB_APPROVAL_POLICY": str(POLICY_FILE),
        "ZDLIB_RECORDS_PROJECT": RECORDS_PROJECT_PATH,  # runs push their records there (repository.py)
    }


class GitLabMount:
    """`/gitlab/...` to the look-alike, `/sandbox/gitlab/...` to its control, the rest to the sandbox."""

    def __init__(self, inner: ASGIApp, state: Any) -> None:
        self.inner = inner
        self.state = state
        self.store = GitLabStore(state.clock)
        self.api = GitLabApi(self.store, gitlab_token(state.options.seed))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/gitlab/"):
            response = await self.api(Request(scope, receive))
        elif path.startswith(CONTROL):
            response = await self._control(Request(scope, receive), path[len(CONTROL) :])
        else:
            await self.inner(scope, receive, send)
            if path == "/sandbox/reset" and scope.get("method") == "POST":
                self.store.reset(self.state.clock)  # after the sandbox reset its clock
            return
        await response(scope, receive, send)

    async def _change_issue(self, request: Request, iid_text: str) -> Any:
        """`POST /sandbox/gitlab/issues/{iid}` `{"changes": [...], "after_reads": N}`: change the issue's
        evidence now, or once the issue has been read N more times (between two reads of one run)."""
        store = self.store
        try:
            body = await _read_json(request)
            iid = int(iid_text)
            changes = body.get("changes")
            if not isinstance(changes, list) or not changes or not all(isinstance(c, dict) for c in changes):
                raise ValueError("changes must be a non-empty list of objects")
            after = body.get("after_reads")
            if after is None:
                for change in changes:
                    store.change_issue(iid, change)
                return json_response(store, store.issues[iid])
            if iid not in store.issues or not isinstance(after, int) or after < 0:
                raise ValueError("after_reads must be a whole number >= 0, for an existing issue")
            store.pending.append(PendingChange(iid, after, changes))
            return json_response(store, {"armed": {"iid": iid, "after_reads": after, "changes": changes}})
        except ValueError as exc:
            return json_response(store, {"message": f"400 Bad request: {exc}"}, 400)

    async def _control(self, request: Request, what: str) -> Any:
        store = self.store
        if what == "faults":
            if request.method == "POST":
                store.faults = _faults(json.loads(await request.body() or b"{}"))
            return json_response(store, store.faults.as_dict())
        if what == "records/faults" and request.method == "POST":  # the records project's answers only
            store.records_faults = _faults(await _read_json(request))
            return json_response(store, store.records_faults.as_dict())
        if what == "reset" and request.method == "POST":
            store.reset(self.state.clock)
            return json_response(store, {"reset": True})
        if what == "records/interpose" and request.method == "POST":
            body = await _read_json(request)
            store.records.interpose = int(body.get("commits", 1))
            return json_response(store, {"interpose": store.records.interpose})
        if what.startswith("issues/") and request.method == "POST":
            return await self._change_issue(request, what.removeprefix("issues/"))
        return json_response(store, {"message": "404 Not found"}, 404)


def _faults(body: dict[str, Any]) -> Faults:
    return Faults(
        status=body.get("status"),
        delay_s=float(body.get("delay_s", 0)),
        remaining=body.get("remaining"),
        methods=tuple(str(m).upper() for m in body.get("methods") or ()),
        message=str(body.get("message") or ""),
    )


async def _read_json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def with_gitlab(inner: ASGIApp, state: Any) -> GitLabMount:
    """The sandbox app with the GitLab look-alike in front of it."""
    return GitLabMount(inner, state)
