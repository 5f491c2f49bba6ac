"""The approval gate of one run: the evidence read when the plan is made, and read again right before every
write, so a change is sent only while the approval still holds (security re-test 2026-12-04 H1).

The request must also authorise this change (`zdlib.approval.binding`): what the run is about to change is
named by `binding_targets`, from its planned changes; a run whose target is the access request itself
(create_token issues what the request asks for) is bound by that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from zdlib.approval.evidence import Evidence
from zdlib.record.outcome import ChangeStatus
from zdlib.runbook.approval import ApprovalRequest, check
from zdlib.runbook.changes import Change

if TYPE_CHECKING:
    from zdlib.runbook.run import Run

#: How a change's object is named in an access request ("automation 12345", "OAuth client 2002").
OBJECT_NAMES = {
    "automation": "automation",
    "api_token": "API token",
    "oauth_token": "OAuth token",
    "oauth_client": "OAuth client",
}
TO_BE_SENT = (ChangeStatus.PLANNED, ChangeStatus.PENDING)
DEFAULT_PLAN_AGE_MINUTES = 15


def binding_targets(changes: Iterable[Change], request_url: str) -> tuple[tuple[str, ...], ...]:
    """What the access request must name: each object the run will change, by the names it may go by
    ("automation 12345"; "OAuth client 2002" or its name; a raw request's path). A client's tokens go
    with the client (the run's client change, sent or not, names them); an object whose description is
    this request's URL was issued for it (create_token writes it there), so the request covers it."""
    objects: list[tuple[str, ...]] = []
    changes = list(changes)
    clients = any(c.object == "oauth_client" for c in changes)  # sent already or still to send
    for change in (c for c in changes if c.status in TO_BE_SENT):
        if clients and change.object == "oauth_token":
            continue
        if issued_for(change, request_url):
            continue
        names = tuple(object_names(change))
        if names and names not in objects:
            objects.append(names)
    return tuple(objects)


def issued_for(change: Change, request_url: str) -> bool:
    """True when the change's object was issued for this access request (its description names it)."""
    described = str(change.extra.get("description") or "").rstrip("/").lower()
    return bool(request_url) and request_url.rstrip("/").lower() in described


def object_names(change: Change) -> list[str]:
    """The names an access request may use for a change's object; none for a new one (no id yet)."""
    if change.id is None or str(change.id).startswith("("):
        return []
    if change.object == "request":  # api_request: "PUT /api/v2/automations/12350"
        path = str(change.id).split(" ", 1)[-1]
        match = re.search(r"/([a-z_]+?)s?/(\d+)(?:\.json)?$", path)
        return [path, f"{match.group(1).replace('_', ' ')} {match.group(2)}"] if match else [path]
    kind = OBJECT_NAMES.get(change.object)
    extra = [str(n) for n in change.extra.get("names", ()) if n]
    return [f"{kind} {change.id}", *extra] if kind else extra


@dataclass
class ApprovalGate:
    """The request as given, and the evidence as last read."""

    request: ApprovalRequest
    evidence: Evidence

    @classmethod
    def open(cls, run: Run, url: str, approved_by: str, reviewed_by: str, source: str) -> ApprovalGate:
        """The first read of the evidence, for the plan the run has made."""
        request = _for_plan(ApprovalRequest(url, approved_by, reviewed_by, source, run.runbook), run)
        evidence = _read(request, run)
        evidence.first_checked_at = evidence.checked_at
        return cls(request, evidence)

    def reread(self, run: Run) -> Evidence:
        """Read the evidence again (before a write, or at JupyterLab's "Apply this plan")."""
        before = self.evidence
        self.request = _for_plan(self.request, run)
        now = _read(self.request, run)
        now.first_checked_at = before.first_checked_at or before.checked_at
        now.checks_made = before.checks_made + 1
        self.evidence = now
        return now


def _for_plan(request: ApprovalRequest, run: Run) -> ApprovalRequest:
    """The request with what the run plans to change now (create_token's target is the request itself)."""
    target = str(run.target or "").strip().rstrip("/").lower()
    itself = bool(target) and target == str(request.access_request_url or "").strip().rstrip("/").lower()
    url = str(request.access_request_url or "")
    return replace(request, targets=() if itself else binding_targets(run.changes, url))


def _read(request: ApprovalRequest, run: Run) -> Evidence:
    return check(request, operator=run.operator, instance_url=run.client.base_url)


def plan_too_old(planned_at: datetime | None, evidence: Evidence | None, now: datetime) -> str:
    """Why a dry run's plan is too old to confirm in JupyterLab ("" when it is fresh enough)."""
    limit = int(
        ((evidence and evidence.policy) or {}).get("max_plan_age_minutes") or DEFAULT_PLAN_AGE_MINUTES
    )
    if planned_at is None:
        return "There is no plan to apply: run the notebook from the top."
    age = now - planned_at
    if age <= timedelta(minutes=limit):
        return ""
    made, minutes = f"{planned_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC", int(age.total_seconds() // 60)
    return (
        f"This plan was made at {made}, {minutes} minutes ago; the approval policy lets a plan be "
        f"applied for {limit} minutes. Nothing was applied: run the notebook again from the top for a "
        "fresh plan, then press the button."
    )
