"""The API-token campaign's GitLab side (issue 23): the access requests its tokens name, the owners' replies,
the reminders it posted, and its checklist note on the campaign issue, through python-gitlab.

GitLab APIs: Issues (`GET /projects/:id/issues/:iid`), Notes (`GET|POST /projects/:id/issues/:iid/notes`,
`PUT /projects/:id/issues/:iid/notes/:note_id`, "Modify existing issue note": only the note's author may),
Users (`GET /user`: the token's user, whose notes are "ours").

Choices:
- `resolved_at` is the access request's `created_at` (when the owner became knowable), not the time it was
  read: a re-run that finds the same campaign must show the same `since`, so the checklist is not edited.
- Owner replies are notes by the issue's author whose first line is `campaign: retired` (case ignored);
  acknowledgements on the campaign issue are notes whose first line is `campaign: owner of API token N`
  (the newest per token wins).
- Our notes (reminders, the checklist) are those with the marker first line AND written by the token's
  user: a note by anyone else is never counted as ours, and never edited.
- With an approval policy, an access-request URL outside its `request_hosts` / `allowed_projects` is not
  followed (a token's description is Zendesk data; it must not choose which GitLab project is trusted).
- One reading: an issue and its notes are read once (`GET` each) and kept until `forget`, so a campaign
  costs one notes request per issue however many tokens or questions share it; our own writes forget the
  issue they wrote to, and a write is checked against a fresh read (`Writes.moved_since_plan`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from zdlib.approval.errors import ApprovalInputError, PolicyError, SourceError
from zdlib.approval.gitlab_source import GitLabSettings, connect, describe_error
from zdlib.approval.policy import Policy
from zdlib.approval.request_url import IssueRef, normalize_request_url, parse_request_url
from zdlib.campaign import checklist
from zdlib.campaign.evidence import AccessRequest, RecordLine

RETIRED = re.compile(r"^\s*campaign:\s*retired\s*$", re.IGNORECASE)
ACKNOWLEDGED = re.compile(r"^\s*campaign:\s*owner\s+of\s+API\s+token\s+(\d{1,18})\s*$", re.IGNORECASE)
T = TypeVar("T")


def _when(value: Any) -> datetime:
    """GitLab's `2026-11-25T12:00:00.000Z` as an aware datetime."""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def _first_line(body: Any) -> str:
    return str(body or "").split("\n", 1)[0]


def _author(item: Any) -> str:
    return str((getattr(item, "author", None) or {}).get("username") or "").lower()


def _same(a: str, b: str) -> bool:
    """Two note bodies alike once line endings and trailing blanks are set aside (GitLab may trim)."""
    return a.replace("\r\n", "\n").rstrip() == b.replace("\r\n", "\n").rstrip()


def _not_found(exc: BaseException) -> bool:
    import gitlab

    return isinstance(exc, gitlab.exceptions.GitlabError) and exc.response_code == 404


class CampaignGitLab:
    """Reads and writes the campaign's notes on one GitLab (`GitLabSettings`, optionally an approval policy
    to keep access-request URLs to its hosts and projects)."""

    def __init__(self, settings: GitLabSettings, policy: Policy | None = None, gl: Any = None) -> None:
        self.settings = settings
        self.policy = policy
        self.gl = gl or connect(settings)
        self._me: str | None = None
        self._read_issues: dict[str, Any] = {}  # issue URL -> the issue as read (one reading, see `forget`)
        self._read_notes: dict[str, list[Any]] = {}  # issue URL -> its user notes, oldest first

    # -- plumbing ------------------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """`fn()`, with any failure raised as a SourceError in GitLab's words (`describe_error`)."""
        try:
            return fn()
        except Exception as exc:
            raise SourceError(describe_error(exc, what, self.settings)) from None

    def me(self) -> str:
        """The token's user (`GET /user`): the author of our notes."""
        if self._me is None:
            user = self._call("the token's user (GET /user)", lambda: self.gl.http_request("get", "/user"))
            self._me = str(user.json().get("username") or "").lower()
        return self._me

    def _issue(self, ref: IssueRef) -> Any:
        """The issue without reading it (its notes are read or written through it)."""
        return self.gl.projects.get(ref.project, lazy=True).issues.get(ref.iid, lazy=True)

    def forget(self, url: str | None = None) -> None:
        """Read the issue at `url` (every issue, without one) afresh next time it is asked about."""
        if url is None:
            self._read_issues.clear()
            self._read_notes.clear()
            return
        try:
            key = parse_request_url(url).url
        except ApprovalInputError:
            return
        self._read_issues.pop(key, None)
        self._read_notes.pop(key, None)

    def _raw_notes(self, ref: IssueRef) -> list[Any]:
        """The issue's user notes (no system notes), oldest first, read once per reading; python-gitlab's
        errors as they are (a failed read is not kept)."""
        notes = self._read_notes.get(ref.url)
        if notes is None:
            found = self._issue(ref).notes.list(get_all=True)
            notes = [n for n in found if not getattr(n, "system", False)]
            notes = self._read_notes[ref.url] = sorted(notes, key=lambda n: (_when(n.created_at), int(n.id)))
        return notes

    def _notes(self, ref: IssueRef) -> list[Any]:
        return self._call(f"the notes of issue #{ref.iid} of {ref.project}", lambda: self._raw_notes(ref))

    def _read_issue(self, ref: IssueRef) -> Any:
        """The issue as read (`GET`), once per reading; python-gitlab's errors as they are."""
        issue = self._read_issues.get(ref.url)
        if issue is None:
            project = self.gl.projects.get(ref.project, lazy=True)
            issue = self._read_issues[ref.url] = project.issues.get(ref.iid)
        return issue

    def _followed(self, url: str) -> IssueRef | None:
        """The access request a token's description names, or None when it is no issue URL or lies outside
        the policy's hosts and projects."""
        try:
            ref = parse_request_url(url)
        except ApprovalInputError:
            return None
        if self.policy and (
            ref.host.lower() not in self.policy.request_hosts or not self.policy.allows_project(ref.project)
        ):
            return None
        return ref

    # -- reads ---------------------------------------------------------------------------------------
    def access_request(self, url: str, now: datetime) -> AccessRequest | None:
        """The access request at `url`: owner (its author), `resolved_at` (its `created_at`), `retired_at`
        (the owner's newest `campaign: retired` note). None when `url` is no followed issue URL or GitLab
        has no such issue (404); any other failure raises SourceError. `now` is not used for dates (a
        re-run shows the same evidence); it is the caller's clock, kept for the protocol."""
        del now
        ref = self._followed(url)
        if ref is None:
            return None
        try:
            issue = self._read_issue(ref)
        except Exception as exc:
            if _not_found(exc):
                return None
            raise SourceError(
                describe_error(exc, f"issue #{ref.iid} of {ref.project}", self.settings)
            ) from None
        owner = _author(issue) or None
        retired = [n for n in self._notes(ref) if _author(n) == owner and RETIRED.match(_first_line(n.body))]
        return AccessRequest(
            ref.url,
            owner,
            _when(issue.created_at),
            _when(retired[-1].created_at) if retired else None,
        )

    def reminders(self, url: str) -> tuple[RecordLine, ...]:
        """Our reminder notes on the access request, oldest first: the record each names (else the note's
        URL) and when it was posted. None found, or no such issue: ()."""
        ref = self._followed(url)
        if ref is None:
            return ()
        try:
            notes = self._raw_notes(ref)
        except Exception as exc:
            if _not_found(exc):
                return ()
            what = f"the notes of issue #{ref.iid} of {ref.project}"
            raise SourceError(describe_error(exc, what, self.settings)) from None
        me = self.me()
        return tuple(
            RecordLine(checklist.reminder_record(n.body) or f"{ref.url}#note_{n.id}", _when(n.created_at))
            for n in notes
            if _author(n) == me and checklist.is_reminder(n.body)
        )

    def last_reminder_at(self, url: str) -> datetime | None:
        """When our newest reminder was posted on the access request, or None."""
        found = self.reminders(url)
        return max(r.at for r in found) if found else None

    def owner_requests(self, campaign_issue_url: str) -> dict[int, tuple[RecordLine, ...]]:
        """{API token id: our owners-wanted notes that asked about it} on the campaign issue, oldest first:
        what makes an ownerless token `orphan` after the policy's number of asks."""
        me = self.me()
        asked: dict[int, list[RecordLine]] = {}
        ref = parse_request_url(campaign_issue_url)
        for note in self._notes(ref):
            if _author(note) == me and checklist.is_owners_wanted(note.body):
                named = checklist.reminder_record(note.body) or f"{ref.url}#note_{note.id}"
                line = RecordLine(named, _when(note.created_at))
                for token_id in checklist.asked_tokens(note.body):
                    asked.setdefault(token_id, []).append(line)
        return {token_id: tuple(lines) for token_id, lines in asked.items()}

    def last_owner_request_at(self, campaign_issue_url: str) -> datetime | None:
        """When our newest owners-wanted note was posted on the campaign issue, or None."""
        me = self.me()
        found = [
            _when(n.created_at)
            for n in self._notes(parse_request_url(campaign_issue_url))
            if _author(n) == me and checklist.is_owners_wanted(n.body)
        ]
        return max(found) if found else None

    def post_owner_request(self, campaign_issue_url: str, body: str) -> int:
        """Post an owners-wanted note on the campaign issue; returns its note id."""
        if not checklist.is_owners_wanted(body):
            raise ValueError("an owners-wanted note starts with checklist.OWNERS_MARKER")
        ref = parse_request_url(campaign_issue_url)
        return self._post(ref, body, f"issue #{ref.iid} of {ref.project} (asking for owners)")

    def acknowledged_owners(self, campaign_issue_url: str) -> dict[int, AccessRequest]:
        """{API token id: the owner's acknowledgement} from the campaign issue's `campaign: owner of API token
        N` notes (the newest per token wins): the owner is the note's author, known since the note."""
        owners: dict[int, AccessRequest] = {}
        ref = parse_request_url(campaign_issue_url)
        for note in self._notes(ref):
            found = ACKNOWLEDGED.match(_first_line(note.body))
            if found and _author(note):
                url = f"{ref.url}#note_{note.id}"
                owners[int(found.group(1))] = AccessRequest(url, _author(note), _when(note.created_at))
        return owners

    def checklist_note(self, campaign_issue_url: str) -> tuple[int, str] | None:
        """Our checklist note on the campaign issue (the oldest, if several): (note id, body), or None."""
        me = self.me()
        for note in self._notes(parse_request_url(campaign_issue_url)):
            if _author(note) == me and checklist.is_ours(note.body):
                return int(note.id), str(note.body)
        return None

    # -- writes --------------------------------------------------------------------------------------
    def upsert_checklist(self, campaign_issue_url: str, body: str) -> tuple[int, bool]:
        """Keep one checklist note: edit ours in place when its body differs, create it when absent.
        Returns (note id, changed); the same body again changes nothing (no request is sent)."""
        if not checklist.is_ours(body):
            raise ValueError("a checklist note starts with checklist.CHECKLIST_MARKER")
        ref = parse_request_url(campaign_issue_url)
        self.forget(ref.url)  # create or edit is decided from GitLab as it is now, never a kept reading
        found = self.checklist_note(campaign_issue_url)
        if found is not None and _same(found[1], body):
            return found[0], False
        issue = self._issue(ref)
        what = f"issue #{ref.iid} of {ref.project} (writing the checklist note)"
        self.forget(ref.url)  # whatever the answer, the next read is fresh
        if found is None:
            created = self._call(what, lambda: issue.notes.create({"body": body}))
            return int(created.id), True
        note = issue.notes.get(found[0], lazy=True)
        note.body = body
        self._call(what, note.save)
        return found[0], True

    def post_reminder(self, url: str, body: str) -> int:
        """Post a reminder note on the access request; returns its note id."""
        if not checklist.is_reminder(body):
            raise ValueError("a reminder note starts with checklist.REMINDER_MARKER")
        ref = self._followed(url)
        if ref is None:
            raise SourceError(f"{url!r} is not an access request the campaign follows: no reminder posted.")
        return self._post(ref, body, f"issue #{ref.iid} of {ref.project} (posting a reminder)")

    def _post(self, ref: IssueRef, body: str, what: str) -> int:
        """Create a note on the issue; returns its id. The issue is read afresh next time."""
        self.forget(ref.url)
        return int(self._call(what, lambda: self._issue(ref).notes.create({"body": body})).id)


def campaign_issue_url(raw: str, gitlab: CampaignGitLab | None) -> str:
    """The campaign issue's URL, normalized; ValueError (saying what to give) when it is no issue URL, or
    when GitLab is not configured, since nothing could be written there."""
    url = normalize_request_url(raw)
    if gitlab is None:
        raise ValueError(
            f"campaign_issue is {url}, but GitLab is not configured: set GITLAB_URL and GITLAB_TOKEN (a "
            "token with the api scope), or leave campaign_issue empty to only read. Nothing was written."
        )
    return url


#: What reading GitLab's settings or the approval policy may raise (the message says what to fix).
SETTINGS_ERRORS = (SourceError, PolicyError)


def from_environment() -> CampaignGitLab | None:
    """The campaign's GitLab from the environment (GITLAB_URL and its token, as the approval source reads
    them), kept to the approval policy's hosts and projects; None when GitLab is not configured."""
    from zdlib.approval.gitlab_source import gitlab_settings
    from zdlib.approval.policy import load_policy

    settings = gitlab_settings()
    return CampaignGitLab(settings, load_policy()) if settings is not None else None
