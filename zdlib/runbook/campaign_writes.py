"""migrate_api_tokens' only writes, all in GitLab: the campaign issue's checklist note (edited in place) and
at most one reminder per owner per week (issue 23 part 2). Nothing here touches Zendesk.

Each write is a planned `Change` so it goes through the run's gate (the approval read again right before
it), is sent only while GitLab still shows what the plan saw (so two runs at once do not both remind an
owner), and is read back from GitLab after it. A re-run that finds the same campaign plans no-ops only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from zdlib.campaign import checklist
from zdlib.campaign.states import FINISHED, State
from zdlib.record.outcome import ChangeStatus
from zdlib.runbook.changes import Change

REMIND_EVERY = timedelta(days=7)
#: States in which the owner must act (states.NEXT names the owner as who acts next).
OWNER_ACTS = frozenset({State.OAUTH_ISSUED, State.AUTO_DEACTIVATED, State.ROLLED_BACK, State.DEACTIVATED})
CHECKLIST = "campaign_checklist"
REMINDER = "campaign_reminder"
OWNERS_WANTED = "campaign_owners_wanted"
#: An active token nobody is known to own: asked about weekly on the campaign issue (then `orphan`).
OWNERLESS = frozenset({State.INVENTORIED, State.ORPHAN})


class CampaignNotes(Protocol):
    """The GitLab notes the campaign keeps (`zdlib.runbook.campaign_gitlab.CampaignGitLab`)."""

    def checklist_note(self, campaign_issue_url: str) -> tuple[int, str] | None: ...

    def upsert_checklist(self, campaign_issue_url: str, body: str) -> tuple[int, bool]: ...

    def last_reminder_at(self, url: str) -> datetime | None: ...

    def post_reminder(self, url: str, body: str) -> int: ...

    def last_owner_request_at(self, campaign_issue_url: str) -> datetime | None: ...

    def post_owner_request(self, campaign_issue_url: str, body: str) -> int: ...

    def forget(self, url: str | None = None) -> None: ...


def digest(text: str | None) -> str | None:
    """A short fingerprint of a note's body (the plan shows it instead of the whole checklist)."""
    return None if text is None else "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]


def checklist_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report as the checklist shows it: dated by the day, so a re-run the same day changes nothing."""
    return {**report, "as_of": str(report["as_of"])[:10]}


@dataclass
class Writes:
    """The planned writes of one run, with how to send each and read it back."""

    gitlab: CampaignNotes | None
    issue: str
    changes: list[Change] = field(default_factory=list)

    def send(self, change: Change) -> Any:
        """Write one planned note."""
        assert self.gitlab is not None
        url, body = change.extra["url"], change.extra["body"]
        if change.object == CHECKLIST:
            return self.gitlab.upsert_checklist(url, body)
        if change.object == OWNERS_WANTED:
            return self.gitlab.post_owner_request(url, body)
        return self.gitlab.post_reminder(url, body)

    def apply(self, run: Any) -> None:
        """Send the planned notes through the run's gate (`Run.apply`), each checked first against what GitLab
        shows now: a note someone else (another run) wrote since the plan stops the run, nothing more sent."""
        for change in self.changes:
            if change.status == ChangeStatus.PENDING:
                moved = self.moved_since_plan(change)
                if moved:
                    run.refuse(f"{moved} {run.sent_so_far()} Re-run to plan from what GitLab shows now.")
            run.apply(change, lambda change=change: self.send(change), on_zendesk=False)

    def moved_since_plan(self, change: Change) -> str | None:
        """Why `change` must not be sent (GitLab, read afresh, no longer shows its `before`), or None."""
        now = self.read_back(change)
        if now == change.before:
            return None
        return (
            f"{change.label} was not sent: GitLab, read again right before the write, shows {now!r} where "
            f"the plan saw {change.before!r} (another run, or a person, wrote there since)."
        )

    def read_back(self, change: Change) -> Any:
        """What GitLab shows now (read afresh), in the terms of the change's `before` and `after`."""
        assert self.gitlab is not None
        url = change.extra["url"]
        self.gitlab.forget(url)
        if change.object == CHECKLIST:
            found = self.gitlab.checklist_note(url)
            return digest(found[1]) if found else None
        last = (
            self.gitlab.last_owner_request_at(url)
            if change.object == OWNERS_WANTED
            else self.gitlab.last_reminder_at(url)
        )
        return last.date().isoformat() if last else None


def reminders_due(
    report: Mapping[str, Any], last_at: Mapping[str, datetime | None], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Per access request (each owner's first), the open tokens to remind of; none if reminded <7 days ago."""
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for token in report["tokens"]:
        if token["owner"] and token["access_request"] and State(token["state"]) in OWNER_ACTS - FINISHED:
            by_owner.setdefault(token["owner"], []).append(token)
    due: dict[str, list[dict[str, Any]]] = {}
    for tokens in by_owner.values():
        url = tokens[0]["access_request"]
        last = last_at.get(url)
        if last is None or now - last >= REMIND_EVERY:
            due[url] = tokens
    return due


def plan_writes(
    gitlab: CampaignNotes | None,
    issue: str,
    report: Mapping[str, Any],
    now: datetime,
    *,
    post_reminders: bool = True,
    record: str | None = None,
) -> Writes:
    """The checklist note and the reminders due, as planned changes (none without a campaign issue)."""
    writes = Writes(gitlab, issue)
    if not issue or gitlab is None:
        return writes
    body = checklist.render(checklist_report(report))
    found = gitlab.checklist_note(issue)
    before = digest(found[1]) if found else None
    extra = {"url": issue, "body": body}
    writes.changes.append(Change(CHECKLIST, issue, "checklist note", before, digest(body), extra=extra))
    if not post_reminders:
        return writes
    ownerless = [t for t in report["tokens"] if not t["owner"] and State(t["state"]) in OWNERLESS]
    asked = gitlab.last_owner_request_at(issue)
    if ownerless and (asked is None or now - asked >= REMIND_EVERY):
        before = asked.date().isoformat() if asked else None
        extra = {"url": issue, "body": checklist.owners_wanted_body(ownerless, record)}
        today = now.date().isoformat()
        writes.changes.append(Change(OWNERS_WANTED, issue, "last ask", before, today, extra=extra))
    urls = {t["access_request"] for t in report["tokens"] if t["access_request"]}
    last_at = {url: gitlab.last_reminder_at(url) for url in urls}
    for url, tokens in reminders_due(report, last_at, now).items():
        text = checklist.reminder_body(tokens[0]["owner"], tokens, record)
        last = last_at.get(url)
        before = last.date().isoformat() if last else None
        extra = {"url": url, "body": text}
        writes.changes.append(
            Change(REMINDER, url, "last reminder", before, now.date().isoformat(), extra=extra)
        )
    return writes
