"""The look-alike's state: users, the project, issues, label events and notes; reset with the sandbox."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from zdlib.sandbox.clock import Clock
from zdlib.sandbox.gitlab import seed as S
from zdlib.sandbox.gitlab.repository import RecordsRepository


def stamp(moment: datetime) -> str:
    """GitLab's timestamp form: `2026-11-25T12:00:00.000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Faults:
    """Errors to inject (tests): a status to answer with, or seconds to wait before answering."""

    status: int | None = None
    delay_s: float = 0.0
    remaining: int | None = None  # None: every request; N: the next N requests
    methods: tuple[str, ...] = ()  # only these HTTP methods (e.g. POST: a comment fails, reads work)
    #: the error's message; `{token}` is replaced by the token the request sent (a GitLab or proxy that
    #: echoes it: security re-test 2026-12-04 M3)
    message: str = ""

    def take(self, method: str = "GET") -> tuple[int | None, float]:
        if self.status is None and not self.delay_s:
            return None, 0.0
        if self.methods and method.upper() not in self.methods:
            return None, 0.0
        if self.remaining is not None:
            if self.remaining <= 0:
                return None, 0.0
            self.remaining -= 1
        return self.status, self.delay_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "delay_s": self.delay_s,
            "remaining": self.remaining,
            "methods": list(self.methods),
            "message": self.message,
        }


@dataclass
class GitLabStore:
    """Everything the look-alike serves, seeded from `seed.py` at the clock's current time."""

    clock: Clock
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    state_events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    pending: list[PendingChange] = field(default_factory=list)  # changes armed for a later read
    records: RecordsRepository = field(init=False)  # the team's records project (repository.py)
    records_faults: Faults = field(default_factory=Faults)  # errors of the records project only

    def __post_init__(self) -> None:
        self.reset(self.clock)

    def reset(self, clock: Clock) -> None:
        self.clock = clock
        self.users = {name: self._user(uid, name, full) for uid, name, full in S.USERS}
        self.issues, self.events, self.state_events, self.notes = {}, {}, {}, {}
        self.faults = Faults()
        self.pending = []
        self.records = RecordsRepository(clock, S.WEB_HOST)
        self.records_faults = Faults()
        self._ids = itertools.count(900_001)
        created, approved, closed = S.issue_times(clock.now())
        for number, item in enumerate(S.ALL_ISSUES):
            if item.filed_days_ago is None:
                self._seed_issue(item, created, approved, closed, number)
            else:
                filed = created + timedelta(days=S.FILED_DAYS_AGO - item.filed_days_ago)
                self._seed_issue(item, filed, filed + timedelta(days=1), filed + timedelta(days=2), number)

    # -- shapes (GitLab REST API: users, issues, resource label events, notes) ------------------------
    def _user(self, uid: int, username: str, name: str) -> dict[str, Any]:
        return {
            "id": uid,
            "username": username,
            "name": name,
            "public_email": S.PUBLIC_EMAILS.get(username, ""),
            "state": "active",
            "locked": False,
            "avatar_url": f"https://secure.gravatar.com/avatar/{uid}?s=80&d=identicon",
            "web_url": f"{S.WEB_HOST}/{username}",
        }

    def project(self) -> dict[str, Any]:
        return {
            "id": S.PROJECT_ID,
            "name": "access-requests",
            "path": "access-requests",
            "path_with_namespace": S.PROJECT_PATH,
            "name_with_namespace": "gitlab-com / team-member-epics / access-requests",
            "web_url": f"{S.WEB_HOST}/{S.PROJECT_PATH}",
            "visibility": "private",
            "default_branch": "main",
        }

    def group(self) -> dict[str, Any]:
        return {
            "id": S.GROUP_ID,
            "name": "customer-support-operations",
            "path": "customer-support-operations",
            "full_path": S.GROUP_PATH,
            "web_url": f"{S.WEB_HOST}/groups/{S.GROUP_PATH}",
            "visibility": "private",
        }

    def group_members(self, query: str = "") -> list[dict[str, Any]]:
        """GitLab's `members/all` shape: the user plus an access level (30: Developer)."""
        return [
            {**self.users[name], "access_level": 30, "membership_state": "active"}
            for name in S.GROUP_MEMBERS
            if query.lower() in name
        ]

    def _seed_issue(
        self, item: S.IssueSeed, created: datetime, approved: datetime, closed: datetime, number: int
    ) -> None:
        requester = self.users[item.author]
        iid = item.iid
        labels = [S.NEEDS]
        events = [self._event(iid, item.author, S.NEEDS, "add", created + timedelta(minutes=10))]
        if item.approver:
            labels = [S.APPROVED, S.READY]
            events += [
                self._event(iid, item.approver, S.APPROVED, "add", approved),
                self._event(iid, item.approver, S.NEEDS, "remove", approved),  # scoped label replaced
                self._event(iid, item.approver, S.READY, "add", approved),
            ]
        issue = {
            "id": 160_000_000 + iid,
            "iid": iid,
            "project_id": S.PROJECT_ID,
            "title": f"{item.title} (request {number + 1})" if item.numbered else item.title,
            "description": item.description,
            "state": item.state,
            "created_at": stamp(created),
            "updated_at": stamp(closed if item.state == "closed" else approved),
            "closed_at": stamp(closed) if item.state == "closed" else None,
            "closed_by": requester if item.state == "closed" else None,
            "labels": labels,
            "author": requester,
            "assignees": [self.users["maria.manager"]],
            "assignee": self.users["maria.manager"],
            "confidential": True,
            "web_url": f"{S.WEB_HOST}/{S.PROJECT_PATH}/-/issues/{iid}",
            "user_notes_count": 0,
        }
        self.issues[iid] = issue
        self.events[iid] = events
        self.notes[iid] = []
        self.state_events[iid] = []
        if item.state == "closed":
            self.state_events[iid].append(self._state_event(iid, item.author, "closed", closed))
        for number, reviewer in enumerate(item.reviewers if item.approver else ()):
            self.add_note(iid, reviewer, S.REVIEW_NOTE, approved + timedelta(hours=2 + number))

    def _event(self, iid: int, username: str, label: str, action: str, when: datetime) -> dict[str, Any]:
        """GitLab's Resource label events shape."""
        shown = {"id": S.LABEL_IDS[label], "name": label, "color": "#428BCA", "description": ""}
        return self._resource_event(iid, username, when, label=shown, action=action)

    def _state_event(self, iid: int, username: str, state: str, when: datetime) -> dict[str, Any]:
        """GitLab's Resource state events shape (`closed`, `reopened`)."""
        return self._resource_event(iid, username, when, state=state)

    def _resource_event(self, iid: int, username: str, when: datetime, **fields: Any) -> dict[str, Any]:
        """What every resource event of an issue carries, and its own fields."""
        return {
            "id": next(self._ids),
            "user": self.users[username],
            "created_at": stamp(when),
            "resource_type": "Issue",
            "resource_id": 160_000_000 + iid,
            **fields,
        }

    def add_note(self, iid: int, author: str, body: str, when: datetime | None = None) -> dict[str, Any]:
        now = stamp(when or self.clock.now())
        note = {
            "id": next(self._ids),
            "type": None,
            "body": body,
            "author": self.users[author],
            "created_at": now,
            "updated_at": now,
            "system": False,
            "noteable_id": self.issues[iid]["id"],
            "noteable_type": "Issue",
            "noteable_iid": iid,
            "project_id": S.PROJECT_ID,
            "confidential": False,
            "internal": False,
            "resolvable": False,
        }
        self.notes[iid].append(note)
        self.issues[iid]["user_notes_count"] = len(self.notes[iid])
        return note

    def note(self, iid: int, note_id: int) -> dict[str, Any] | None:
        """One note of the issue, or None."""
        return next((n for n in self.notes[iid] if n["id"] == note_id), None)

    def edit_note(self, iid: int, note_id: int, body: str) -> dict[str, Any]:
        """GitLab's "Modify existing issue note": the body replaced, `updated_at` the sandbox clock."""
        note = self.note(iid, note_id)
        if note is None:
            raise KeyError(note_id)
        note["body"] = body
        note["updated_at"] = stamp(self.clock.now())
        return note

    # -- evidence that changes during a run (tests and rehearsals; /sandbox/gitlab/issues/{iid}) -------
    def change_issue(self, iid: int, change: dict[str, Any]) -> dict[str, Any]:
        """Apply one change as GitLab would record it, at the sandbox clock (or `seconds_ago` before it).

        `{"label": NAME, "action": "add"|"remove", "by": USER}`, `{"state": "closed"|"reopened", "by": USER}`,
        `{"note": BODY, "by": USER}`, `{"title": ...}`, `{"description": ...}`. Raises ValueError.
        """
        issue = self.issues.get(iid)
        if issue is None:
            raise ValueError(f"no issue #{iid}")
        by = str(change.get("by") or S.REQUESTER)
        if by not in self.users:
            raise ValueError(f"no GitLab user {by!r}")
        when = self.clock.now() - timedelta(seconds=float(change.get("seconds_ago", 0)))
        if "label" in change:
            self._change_label(iid, str(change["label"]), str(change.get("action", "add")), by, when)
        elif "state" in change:
            state = str(change["state"])
            if state not in ("closed", "reopened"):
                raise ValueError("state must be closed or reopened")
            issue["state"] = "closed" if state == "closed" else "opened"
            issue["closed_at"] = stamp(when) if state == "closed" else None
            issue["closed_by"] = self.users[by] if state == "closed" else None
            self.state_events[iid].append(self._state_event(iid, by, state, when))
        elif "note" in change:
            self.add_note(iid, by, str(change["note"]), when)
        elif "title" in change or "description" in change:
            issue.update({k: str(change[k]) for k in ("title", "description") if k in change})
        else:
            raise ValueError("a change is a label, state, note, title or description")
        issue["updated_at"] = stamp(when)
        return issue

    def _change_label(self, iid: int, label: str, action: str, by: str, when: datetime) -> None:
        if action not in ("add", "remove"):
            raise ValueError("action must be add or remove")
        labels = self.issues[iid]["labels"]
        if action == "add" and label not in labels:
            labels.append(label)
        elif action == "remove" and label in labels:
            labels.remove(label)
        S.LABEL_IDS.setdefault(label, 17100 + len(S.LABEL_IDS))
        self.events[iid].append(self._event(iid, by, label, action, when))

    def issue_read(self, iid: int) -> None:
        """An issue was read through the API: apply the changes armed to happen after that many reads."""
        due = []
        for pending in self.pending:
            if pending.iid == iid:
                pending.reads_left -= 1
                if pending.reads_left < 0:
                    due.append(pending)
        for pending in due:
            self.pending.remove(pending)
            for change in pending.changes:
                self.change_issue(iid, change)


@dataclass
class PendingChange:
    """Changes to apply once the issue has been read `reads_left` more times (the evidence moves between
    the approval check and the write: security re-test 2026-12-04 H1)."""

    iid: int
    reads_left: int
    changes: list[dict[str, Any]]
