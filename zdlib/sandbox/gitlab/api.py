"""GitLab's REST API v4, the subset python-gitlab needs to check an access request and comment on it.

Served under `{sandbox URL}/gitlab/api/v4/...`. Shapes follow GitLab's API documents: Users
(`GET /user`, `GET /users?username=`), Groups and their members (`GET /groups/:id`,
`GET /groups/:id/members/all?query=`), Projects (`GET /projects/:id`, `:id` a number or the URL-encoded
path), Issues (`GET /projects/:id/issues/:iid`), Resource label events
(`GET /projects/:id/issues/:iid/resource_label_events`), Resource state events
(`GET /projects/:id/issues/:iid/resource_state_events`), Notes (`GET|POST /projects/:id/issues/:iid/notes`,
`GET|PUT /projects/:id/issues/:iid/notes/:note_id`: only the note's author may modify it);
authentication by `PRIVATE-TOKEN` (or `Authorization: Bearer`); errors as `{"message": "404 Not found"}`.
Routing reads the raw path, because the project id is a URL-encoded path (`gitlab-com%2Fteam-...`) whose
`%2F` a decoded path would turn into separators.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from zdlib.sandbox.gitlab import seed as S
from zdlib.sandbox.gitlab.repository import RECORDS_PROJECT_ID, RECORDS_PROJECT_PATH, RepositoryError
from zdlib.sandbox.gitlab.store import GitLabStore

API_PREFIX = "/gitlab/api/v4/"
RECORDS = (str(RECORDS_PROJECT_ID), RECORDS_PROJECT_PATH)  # the records project (repository.py)
MESSAGES = {
    400: "400 Bad request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not found",
    405: "405 Method Not Allowed",
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Unavailable",
}


class GitLabError(Exception):
    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(status)
        self.status, self.message = status, message or MESSAGES.get(status, f"{status} Error")


def json_response(store: GitLabStore, body: Any, status: int = 200) -> Response:
    headers = {"Date": format_datetime(store.clock.now(), usegmt=True)}
    data = json.dumps(body, separators=(",", ":")).encode()
    return Response(data, status_code=status, headers=headers, media_type="application/json")


def paged(store: GitLabStore, request: Request, items: list[Any]) -> Response:
    """One page of a listing, as GitLab's offset pagination gives it (REST API docs, "Pagination"): `page`
    from 1, `per_page` 20 by default and at most 100; `x-page`, `x-per-page`, `x-total`, `x-total-pages`,
    `x-next-page` and `x-prev-page` (empty at the ends), and a `Link` header (first, prev, next, last),
    which python-gitlab follows for `get_all=True`. A page past the last is an empty list."""
    page = _whole(request.query_params.get("page"), DEFAULT_PAGE)
    per_page = min(_whole(request.query_params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    pages = max(1, -(-len(items) // per_page))
    response = json_response(store, items[(page - 1) * per_page : page * per_page])
    after = page + 1 if page < pages else None
    before = page - 1 if 1 < page <= pages + 1 else None
    response.headers.update(
        {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(items)),
            "X-Total-Pages": str(pages),
            "X-Next-Page": str(after or ""),
            "X-Prev-Page": str(before or ""),
        }
    )
    # the raw path: a project's id is its URL-encoded path, whose `%2F` a decoded path would lose
    path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?", 1)[0]
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}{path}"
    links = [("prev", before), ("next", after), ("first", 1), ("last", pages)]
    response.headers["Link"] = ", ".join(
        f'<{base}?{urlencode([*kept, ("page", n), ("per_page", per_page)])}>; rel="{rel}"'
        for rel, n in links
        if n is not None
    )
    return response


DEFAULT_PAGE, DEFAULT_PER_PAGE, MAX_PER_PAGE = 1, 20, 100


def _whole(raw: str | None, default: int) -> int:
    """A page parameter as GitLab reads it: a whole number from 1, else the default."""
    return int(raw) if raw and raw.isdigit() and int(raw) >= 1 else default


class GitLabApi:
    """The handlers over one store; `token` is the operator's personal access token."""

    def __init__(self, store: GitLabStore, token: str) -> None:
        self.store = store
        self.token = token

    async def __call__(self, request: Request) -> Response:
        store = self.store
        status, delay = store.faults.take(request.method)
        if delay:
            await asyncio.sleep(delay)
        try:
            if status is not None:
                sent = request.headers.get("private-token", "")
                raise GitLabError(status, store.faults.message.replace("{token}", sent) or None)
            self._authenticate(request)
            raw = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]
            parts = [unquote(p) for p in raw[len(API_PREFIX) :].split("/")]
            return await self._route(request, parts)
        except GitLabError as exc:
            return json_response(store, {"message": exc.message}, exc.status)

    def _authenticate(self, request: Request) -> None:
        given = request.headers.get("private-token", "")
        bearer = request.headers.get("authorization", "")
        if not given and bearer.lower().startswith("bearer "):
            given = bearer[7:]
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
            raise GitLabError(401)

    async def _route(self, request: Request, parts: list[str]) -> Response:
        store, method = self.store, request.method
        if parts == ["user"] and method == "GET":
            return json_response(store, store.users[S.OPERATOR])
        if parts == ["users"] and method == "GET":
            name = request.query_params.get("username", "").lower()
            found = [u for n, u in store.users.items() if not name or n == name]
            return paged(store, request, found)
        if len(parts) >= 2 and parts[0] == "groups" and method == "GET":
            if parts[1] not in (str(S.GROUP_ID), S.GROUP_PATH):
                raise GitLabError(404, "404 Group Not Found")
            if len(parts) == 2:
                return json_response(store, store.group())
            if parts[2:] == ["members", "all"]:
                found = store.group_members(request.query_params.get("query", ""))
                return paged(store, request, found)
        if len(parts) >= 2 and parts[0] == "projects" and parts[1] in RECORDS:
            return await self._records_route(request, parts[2:])
        if len(parts) >= 2 and parts[0] == "projects":
            self._project(parts[1])
            if len(parts) == 2 and method == "GET":
                return json_response(store, store.project())
            if len(parts) >= 4 and parts[2] == "issues":
                return await self._issue_route(request, parts[3], parts[4:])
        raise GitLabError(404, "404 Not found")

    async def _records_route(self, request: Request, rest: list[str]) -> Response:
        """The records project (repository.py): project, commits, files, raw files, tree."""
        store, method, repo = self.store, request.method, self.store.records
        query = request.query_params
        status, _ = store.records_faults.take(method)
        if status is not None:
            raise GitLabError(status)
        try:
            if not rest and method == "GET":
                return json_response(store, repo.project())
            if rest == ["repository", "commits"] and method == "POST":
                commit = repo.commit(await _body(request), store.users[S.OPERATOR])
                return json_response(store, commit, 201)
            if rest == ["repository", "commits"] and method == "GET":
                listed = list(reversed(repo.commits))
                return paged(store, request, listed)
            if rest == ["repository", "tree"] and method == "GET":
                found = repo.tree(query.get("path", ""), query.get("recursive") in ("true", "1"))
                return paged(store, request, found)
            if len(rest) == 3 and rest[:2] == ["repository", "files"] and method in ("GET", "HEAD"):
                return json_response(store, repo.file(rest[2]))
            if (
                len(rest) == 4
                and rest[:2] == ["repository", "files"]
                and rest[3] == "raw"
                and method == "GET"
            ):
                headers = {"Date": format_datetime(store.clock.now(), usegmt=True)}
                return Response(repo.raw(rest[2]), headers=headers, media_type="text/plain")
        except RepositoryError as exc:
            raise GitLabError(exc.status, exc.message) from None
        raise GitLabError(404, "404 Not found")

    def _project(self, ident: str) -> None:
        if ident not in (str(S.PROJECT_ID), S.PROJECT_PATH):
            raise GitLabError(404, "404 Project Not Found")

    async def _issue_route(self, request: Request, iid_text: str, rest: list[str]) -> Response:
        store, method = self.store, request.method
        issue = store.issues.get(int(iid_text)) if iid_text.isdigit() else None
        if issue is None:
            raise GitLabError(404, "404 Not found")
        iid = issue["iid"]
        if not rest and method == "GET":
            store.issue_read(iid)  # evidence armed to move between two reads of a run moves now
            return json_response(store, issue)
        if rest == ["resource_label_events"] and method == "GET":
            return paged(store, request, store.events[iid])
        if rest == ["resource_state_events"] and method == "GET":
            return paged(store, request, store.state_events[iid])
        if rest == ["notes"] and method == "GET":
            return paged(store, request, store.notes[iid])
        if rest == ["notes"] and method == "POST":
            body = await _body(request)
            text = body.get("body")
            if not isinstance(text, str) or not text.strip():
                return json_response(store, {"message": {"body": ["can't be blank"]}}, 400)
            return json_response(store, store.add_note(iid, S.OPERATOR, text), 201)
        if len(rest) == 2 and rest[0] == "notes" and rest[1].isdigit():
            return await self._note_route(request, iid, int(rest[1]))
        readable = ([], ["notes"], ["resource_label_events"], ["resource_state_events"])
        raise GitLabError(405 if rest in readable else 404)

    async def _note_route(self, request: Request, iid: int, note_id: int) -> Response:
        """GitLab's "Get single issue note" and "Modify existing issue note" (body `body`)."""
        store, method = self.store, request.method
        note = store.note(iid, note_id)
        if note is None:
            raise GitLabError(404, "404 Note Not Found")
        if method == "GET":
            return json_response(store, note)
        if method != "PUT":
            raise GitLabError(405)
        if note["author"]["username"] != S.OPERATOR:  # only the author may edit a note (GitLab: 403)
            raise GitLabError(403)
        text = (await _body(request)).get("body")
        if not isinstance(text, str) or not text.strip():
            return json_response(store, {"message": {"body": ["can't be blank"]}}, 400)
        return json_response(store, store.edit_note(iid, note_id, text))


async def _body(request: Request) -> dict[str, Any]:
    """A JSON or form body (python-gitlab sends JSON)."""
    if "json" in request.headers.get("content-type", ""):
        try:
            data = await request.json()
        except ValueError:
            raise GitLabError(400) from None
        return data if isinstance(data, dict) else {}
    return dict(await request.form())
