"""Close the loop: after an applied run, the outcome is posted on the access-request issue.

The note holds the runbook, outcome, instance, the changes (object, id, field, before -> after), the
record's file name and sha256; never a secret (the caller passes the secrets to refuse). It is posted with
`issue.notes.create({"body": ...})` (GitLab Notes API, POST /projects/:id/issues/:issue_iid/notes), which
needs a token with the `api` scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zdlib.approval.errors import SourceError
from zdlib.approval.gitlab_source import GitLabSettings, connect, describe_error, gitlab_settings
from zdlib.approval.names import USERNAME
from zdlib.approval.request_url import parse_request_url
from zdlib.record.markup import inert

MAX_VALUE = 80
RECORD_KINDS = (("html", "HTML record"), ("ipynb", "notebook"))  # GitLab renders .ipynb as a notebook


@dataclass(frozen=True)
class CommentResult:
    """What happened to the comment: its note id, or why there is none."""

    note_id: int | None = None
    url: str = ""
    error: str = ""

    def as_record(self) -> dict[str, Any]:
        return {"note_id": self.note_id, "url": self.url} if self.note_id else {"error": self.error}


def should_comment(summary: Mapping[str, Any] | None, outcome: str) -> bool:
    """Only applied runs whose approval GitLab verified, with comment_back on in the policy."""
    approval = (summary or {}).get("approval") or {}
    policy = approval.get("policy") or {}
    return (
        outcome == "applied"
        and approval.get("source") == "gitlab"
        and bool(approval.get("verified"))
        and bool(policy.get("comment_back", True))
    )


def _text(value: Any, *, cell: bool = False, shown: bool = False) -> str:
    """A value as inert Markdown in the note (markup.inert: a code span, `@` kept from mentioning anyone),
    and `|` escaped in a table cell. `shown`: the value's repr (before/after), cut to MAX_VALUE characters."""
    text = repr(value) if shown else ("" if value is None else str(value))
    span = str(inert(text, MAX_VALUE))
    return span.replace("|", "\\|") if cell else span


def _user(value: Any) -> str:
    """A GitLab username as a mention (the manager and reviewer are told); anything else as inert text."""
    text = "" if value is None else str(value)
    return f"@{text}" if USERNAME.match(text) else _text(text)


def links_line(links: Mapping[str, str] | None) -> list[str]:
    """Where the record is in the team's records project (zdlib.runner.push): its HTML and notebook pages,
    committed right after the note; `{}`: the project could not be reached, so the record is pending."""
    if links is None:
        return []
    if not links:
        return ["- Records project: the record is not pushed yet (pending); a follow-up note links it then"]
    return [f"- Records project: {_shown(links)} (committed right after this note; a follow-up note if late)"]


def _shown(links: Mapping[str, str]) -> str:
    return " · ".join(f"[{label}]({links[kind]})" for kind, label in RECORD_KINDS if kind in links)


def pushed_body(record_name: str, sha256: str, links: Mapping[str, str], commit: str) -> str:
    """The follow-up note once a pending record has landed in the records project."""
    return (
        f"The record {_text(record_name)} (sha256 {_text(sha256)}) is now in the records project: "
        f"{_shown(links)} "
        f"(commit {_text(commit[:12])}).\n"
    )


def outcome_body(
    summary: Mapping[str, Any],
    record_name: str,
    sha256: str,
    outcome: str,
    links: Mapping[str, str] | None = None,
) -> str:
    """The note's Markdown: what ran, what changed, which record proves it and where to read it."""
    operator = summary.get("operator") or {}
    approval = summary.get("approval") or {}
    event = approval.get("label_event") or {}
    lines = [
        f"**zdlib runbook {_text(summary.get('runbook'))}**: outcome **{_text(outcome)}** on "
        f"{_text(summary.get('instance'))}",
        "",
        f"- Operator: {_text(operator.get('name'))} (Zendesk user {_text(operator.get('id'))}), "
        f"GitLab {_text(approval.get('operator'))}",
        f"- Approval checked: label {_text(event.get('label'))} added by {_user(event.get('user'))} at "
        f"{_text(event.get('created_at'))} (label event {_text(event.get('id'))}); "
        f"reviewed by {_user(approval.get('reviewed_by'))}; last checked "
        f"{_text(approval.get('checked_at'))}, right before the last write "
        f"({_text(approval.get('checks_made'))} reads in this run)",
        f"- Record: {_text(record_name)}, sha256 {_text(sha256)}",
        *links_line(links),
        "",
        "| object | id | field | before | after | status |",
        "|---|---|---|---|---|---|",
    ]
    for change in summary.get("changes") or []:
        cells = [_text(change.get(k), cell=True) for k in ("object", "id", "field")]
        cells += [_text(change.get(k), cell=True, shown=True) for k in ("before", "after")]
        cells.append(_text(change.get("status"), cell=True))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines).replace("\r", " ") + "\n"


def post_outcome(
    settings: GitLabSettings,
    access_request_url: str,
    body: str,
    secrets: Iterable[str] = (),
    gl: Any = None,
) -> CommentResult:
    """Post `body` on the issue; a failure is returned as an error, never raised (the change stays)."""
    if any(secret and secret in body for secret in secrets):
        return CommentResult(error="not posted: the comment would have held a configured secret")
    try:
        ref = parse_request_url(access_request_url)
        client = gl or connect(settings)
        try:
            issue = client.projects.get(ref.project, lazy=True).issues.get(ref.iid)
            note = issue.notes.create({"body": body})
        except Exception as exc:
            what = f"issue #{ref.iid} of {ref.project} (posting a note)"
            raise SourceError(describe_error(exc, what, settings)) from None
        return CommentResult(note_id=int(note.id), url=f"{ref.url}#note_{note.id}")
    except Exception as exc:  # a comment must never undo or hide the change: report it instead
        return CommentResult(error=f"not posted: {exc}")


def comment_after_publish(
    summary: Mapping[str, Any] | None,
    outcome: str,
    record_name: str,
    sha256: str | None,
    secrets: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    gl: Any = None,
    links: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """The runner's step after publishing: post the outcome once; the index keeps what happened.

    None when no comment is due (not applied, not verified by GitLab, or comment_back off in the policy).
    """
    if summary is None or not should_comment(summary, str(outcome)):
        return None
    approval = summary.get("approval") or {}
    try:
        settings = gitlab_settings(environ)
    except SourceError as exc:
        return CommentResult(error=f"not posted: {exc}").as_record()
    if settings is None:
        return CommentResult(error="not posted: GITLAB_URL and GITLAB_TOKEN are not set").as_record()
    body = outcome_body(summary, record_name, sha256 or "", str(outcome), links)
    return post_outcome(settings, str(approval.get("access_request_url")), body, secrets, gl=gl).as_record()
