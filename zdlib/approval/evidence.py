"""The approval evidence of one run: what was checked, where, and what was found (JSON for the summary)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    """Where the approval was checked."""

    GITLAB = "gitlab"  # the access-request issue and its label events, read through GitLab's API
    MANUAL = "manual"  # typed by the operator, not verified anywhere


@dataclass
class Evidence:
    """Approval facts for the record's banner and the index; never holds a secret."""

    source: Source
    access_request_url: str
    approved_by: str
    reviewed_by: str
    verified: bool = False
    operator: str = ""  # the GitLab user of the token (GitLab source) or the Zendesk operator's name
    gitlab_url: str = ""  # which GitLab API answered
    policy: dict[str, Any] | None = None
    issue: dict[str, Any] | None = None  # title, state, author, url, created_at, confidential, labels
    label_event: dict[str, Any] | None = None  # id, label, action, user, created_at
    checks: list[str] = field(default_factory=list)  # what an applied run checks, in words
    problems: list[str] = field(default_factory=list)
    checked_at: str | None = None  # when the evidence was last read (GitLab's clock), before the last write
    first_checked_at: str | None = None  # when it was first read (the plan's check)
    checks_made: int = 1  # how often it was read in this run (once at the plan, again before each write)
    runbook: str = ""
    targets: list[str] = field(default_factory=list)  # what identifies the change's object
    bound_by: str = ""  # how the request is tied to this change (binding.binding)
    self_service: str = ""  # the policy's exception when the operator is the requester
    review: dict[str, Any] | None = None  # the reviewer's label event or note: kind, id, created_at

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def banner(self) -> str:
        """One line for the record's banner."""
        if self.source == Source.MANUAL:
            return (
                f"approval NOT verified: typed by the operator (request {self.access_request_url}, "
                f"approved by {self.approved_by}, reviewed by {self.reviewed_by})"
            )
        if not self.verified:
            return f"approval NOT verified: {len(self.problems)} problem(s) with {self.access_request_url}"
        event = self.label_event or {}
        return (
            f"approval verified in GitLab: {self.access_request_url}, label {event.get('label')!r} added by "
            f"{event.get('user')} at {event.get('created_at')} (event {event.get('id')}), reviewed by "
            f"{self.reviewed_by} (GitLab API {self.gitlab_url}; last checked {self.checked_at})"
        )

    def as_record(self) -> dict[str, Any]:
        """The summary's `approval` (what H2's banner and the index read)."""
        data = asdict(self)
        data["source"] = str(self.source)
        data["banner"] = self.banner
        return data
