"""The approval gate: access request, manager approval and security review, checked before any change.

With GitLab as the source (`GITLAB_URL` + `GITLAB_TOKEN`), the access-request issue itself is the evidence
(`zdlib.approval.gitlab_source`); otherwise the three typed values are only checked for shape and
separation of duties, and the record says **approval NOT verified**. Against a real (non-sandbox)
instance that needs `approval_source="manual"`, said out loud.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from zdlib.approval import names
from zdlib.approval.errors import ApprovalInputError, PolicyError, SourceError
from zdlib.approval.evidence import Evidence, Source
from zdlib.approval.gitlab_source import GitLabSource, gitlab_settings
from zdlib.approval.policy import Policy, load_policy
from zdlib.approval.request_url import parse_request_url
from zdlib.config import is_loopback
from zdlib.instance import is_sandbox

Approval = Evidence  # the name notebooks and older code know
SOURCES = ("", "gitlab", "manual")
GITLAB_CHECKS = (
    "the issue is in an allowed access-request project, and open",
    "it carries the approval label(s); the latest event on each adds it, by the named manager",
    "that event is not by the requester (the issue's author), not at the issue's creation (a template), "
    "and not older than the policy allows",
    "the operator (the GitLab token's user) is not the approver, nor the requester (unless the policy names "
    "a self-service exception for this runbook); the reviewer is one the policy allows, and GitLab shows "
    "their review (a label event or a note by them on the issue)",
    "the issue was not reopened after the approval, and it names this change's target (or carries a label "
    "the policy maps to the runbook)",
    "it is read again right before every write: a change is sent only while all of this still holds",
    "with a roster in the policy (managers), the named manager is the requester's manager in it",
)


def approval_problems(
    access_request_url: str | None,
    approved_by: str | None,
    reviewed_by: str | None,
    operator: dict | None,
    *,
    reviewer_may_be_operator: bool = False,
) -> list[str]:
    """Every reason a typed (unverified) approval is not good enough, in words an engineer can act on."""
    problems: list[str] = []
    try:
        parse_request_url(access_request_url)
    except ApprovalInputError as exc:
        problems.append(str(exc))
    approver, reviewer = (approved_by or "").strip(), (reviewed_by or "").strip()
    if not approver:
        problems.append("approved_by is missing: name the requester's manager who approved the request.")
    if not reviewer:
        problems.append("reviewed_by is missing: name the security reviewer (Customer Support Operations).")
    for field, person in (("approved_by", approver), ("reviewed_by", reviewer)):
        problem = names.name_problem(field, person) if person else None
        if problem:
            problems.append(problem)
    if approver and reviewer and names.same_person(approver, reviewer):
        problems.append("approved_by and reviewed_by are the same person: the review must be independent.")
    me = [str(operator.get(k) or "") for k in ("email", "name")] if operator else []
    if approver and any(names.could_be(approver, m) for m in me):
        problems.append(
            f"approved_by is the operator running this change, or could be ({approver!r} is their name or "
            "part of it): someone else must approve it; name them in full (name, email or GitLab username)."
        )
    if reviewer and not reviewer_may_be_operator and any(names.could_be(reviewer, m) for m in me):
        problems.append("reviewed_by is the operator running this change: someone else must review it.")
    return problems


@dataclass(frozen=True)
class ApprovalRequest:
    """What the operator gave, and the change it must authorise: checked when the plan is made, and again
    right before every write (security re-test 2026-12-04 H1: evidence checked once was trusted for ever)."""

    access_request_url: str
    approved_by: str
    reviewed_by: str = ""
    approval_source: str = ""
    runbook: str = ""
    targets: tuple[
        str, ...
    ] = ()  # what identifies the change's object (ids, names); none: the request itself


def check_approval(
    access_request_url: str,
    approved_by: str,
    reviewed_by: str = "",
    approval_source: str = "",
    *,
    operator: Mapping[str, Any],
    instance_url: str,
    environ: Mapping[str, str] | None = None,
    gitlab: Any = None,
    runbook: str = "",
    targets: Sequence[Sequence[str]] = (),
) -> Evidence:
    """Check an approval where it lives; the Evidence lists every problem (none: the approval holds)."""
    names = tuple(tuple(str(n) for n in alternatives) for alternatives in targets)
    request = ApprovalRequest(access_request_url, approved_by, reviewed_by, approval_source, runbook, names)
    return check(request, operator=operator, instance_url=instance_url, environ=environ, gitlab=gitlab)


def check(
    request: ApprovalRequest,
    *,
    operator: Mapping[str, Any],
    instance_url: str,
    environ: Mapping[str, str] | None = None,
    gitlab: Any = None,
) -> Evidence:
    """The evidence for `request` as it stands now."""
    evidence = _evidence(request, operator, instance_url, environ, gitlab)
    evidence.runbook, evidence.targets = request.runbook, shown_targets(request.targets)
    return evidence


def shown_targets(targets: Sequence[Sequence[str]]) -> list[str]:
    """The objects the request must name, as the record shows them (`OAuth client 2002 or Zapier`)."""
    return [" or ".join(names) for names in targets]


def _evidence(
    request: ApprovalRequest,
    operator: Mapping[str, Any],
    instance_url: str,
    environ: Mapping[str, str] | None,
    gitlab: Any,
) -> Evidence:
    raw = request.access_request_url
    approved_by, reviewed_by = request.approved_by, request.reviewed_by
    try:
        url, url_problem = parse_request_url(raw).url, ""
    except ApprovalInputError as exc:
        url, url_problem = (raw if isinstance(raw, str) else ""), str(exc)
    source = (request.approval_source or "").strip().lower()
    if source not in SOURCES:
        evidence = Evidence(Source.MANUAL, url, str(approved_by), str(reviewed_by))
        evidence.problems.append(
            f"approval_source {request.approval_source!r} is not known: leave it empty (GitLab when "
            "configured), or say 'gitlab' or 'manual'."
        )
        return evidence
    try:
        settings = gitlab_settings(environ)
    except SourceError as exc:
        evidence = Evidence(Source.GITLAB, url, str(approved_by), str(reviewed_by))
        evidence.problems.append(str(exc))
        return evidence
    if source == "gitlab" or (source == "" and settings is not None):
        evidence = Evidence(
            Source.GITLAB, url, str(approved_by or "").strip(), str(reviewed_by or "").strip()
        )
        evidence.runbook = request.runbook
        return _check_gitlab(evidence, url_problem, settings, environ, gitlab, instance_url, request.targets)
    evidence = _check_manual(url, approved_by, reviewed_by, source, operator, instance_url, environ)
    evidence.gitlab_url = settings.url if settings is not None else ""
    _manual_policy_problems(evidence, evidence.gitlab_url, instance_url, environ)
    return evidence


def _sandbox_problem(policy: Policy, instance_url: str, environ: Mapping[str, str] | None) -> str:
    """Why the sandbox's policy cannot vouch for changes on `instance_url` ("" when it can)."""
    if policy.sandbox_only and not is_sandbox(instance_url, environ):
        return (
            f"{policy.name} is the sandbox's policy (sandbox_only), but the Zendesk instance "
            f"{instance_url} is not the sandbox (it did not prove it holds ZDLIB_SANDBOX_KEY): unset "
            "ZDLIB_APPROVAL_POLICY to use the repository's "
            "approval-policy.yaml."
        )
    return ""


def _manual_policy_problems(
    evidence: Evidence, gitlab_url: str, instance_url: str, environ: Mapping[str, str] | None
) -> None:
    """A typed approval: never the sandbox's policy for a real instance; with GitLab configured, only
    where the policy allows it (allow_manual)."""
    try:
        policy = _policy(environ)
    except PolicyError as exc:
        if gitlab_url:
            evidence.problems.append(str(exc))
        return
    sandbox = _sandbox_problem(policy, instance_url, environ)
    if sandbox:
        evidence.problems.append(sandbox)
    elif gitlab_url and not policy.allow_manual:
        evidence.problems.append(
            f"approval_source='manual' skips the GitLab configured at {gitlab_url}, where the access request "
            f"can be checked; {policy.name} does not allow typed approvals then (allow_manual: false). Leave "
            "approval_source empty so GitLab checks the issue, or unset GITLAB_URL and GITLAB_TOKEN if this "
            "request is not in that GitLab."
        )


def _policy(environ: Mapping[str, str] | None) -> Policy:
    return load_policy(environ=environ)


def _check_gitlab(
    evidence: Evidence,
    url_problem: str,
    settings: Any,
    environ: Mapping[str, str] | None,
    gitlab: Any,
    instance_url: str,
    targets: Sequence[Sequence[str]],
) -> Evidence:
    """The GitLab source's check of `evidence`'s request, filling it in."""
    url = evidence.access_request_url
    evidence.checks = list(GITLAB_CHECKS)
    evidence.targets = shown_targets(targets)
    if settings is None:
        evidence.problems.append(
            "approval_source is 'gitlab' but GITLAB_URL and GITLAB_TOKEN are not set: set them (runbooks.md, "
            "'Access requests'), or say approval_source='manual' to record an unverified approval."
        )
        return evidence
    evidence.gitlab_url = settings.url
    try:
        policy = _policy(environ)
    except PolicyError as exc:
        evidence.problems.append(str(exc))
        return evidence
    evidence.policy = policy.as_record()
    mismatch = _instance_mismatch(policy, settings.url, instance_url, environ)
    if mismatch:
        evidence.problems.append(mismatch)
        return evidence
    if url_problem:
        evidence.problems.append(url_problem)
    reviewer_given = _normalize_names(evidence)
    if evidence.problems:
        return evidence
    try:
        source = GitLabSource(settings, policy, gl=gitlab)
        if not reviewer_given:
            if not policy.reviewer_may_be_operator:
                evidence.problems.append(
                    f"reviewed_by is missing, and {policy.name} does not let the operator review: name the "
                    "reviewer's GitLab username."
                )
                return evidence
            evidence.reviewed_by = source.whoami()[0]  # the handbook's CSO engineer reviews and provisions
        source.check(parse_request_url(url), evidence, targets)
    except SourceError as exc:
        evidence.problems.append(str(exc))
    evidence.verified = not evidence.problems
    return evidence


def _instance_mismatch(
    policy: Policy, gitlab_url: str, instance_url: str, environ: Mapping[str, str] | None
) -> str:
    """Why the sandbox's policy or GitLab look-alike cannot vouch for this instance ("" when they can)."""
    parts = urlsplit(gitlab_url)
    if policy.sandbox_only and not is_sandbox(f"{parts.scheme}://{parts.netloc}", environ):
        return (
            f"{policy.name} is the sandbox's policy, but GITLAB_URL ({gitlab_url}) is not the sandbox: "
            "unset ZDLIB_APPROVAL_POLICY to use the repository's approval-policy.yaml."
        )
    sandbox = _sandbox_problem(policy, instance_url, environ)
    if not sandbox and is_loopback(parts.hostname or "") and not is_sandbox(instance_url, environ):
        sandbox = (
            f"GITLAB_URL ({gitlab_url}) is on this machine (the sandbox's GitLab look-alike), but the "
            f"Zendesk instance {instance_url} is not the sandbox: set GITLAB_URL to the GitLab that holds "
            "the access requests (https://gitlab.com)."
        )
    return sandbox


def _normalize_names(evidence: Evidence) -> bool:
    """The approver's and reviewer's GitLab usernames, checked in place; True when a reviewer was named."""
    try:
        evidence.approved_by = names.normalize_username("approved_by", evidence.approved_by)
    except ApprovalInputError as exc:
        evidence.problems.append(str(exc))
    if not evidence.reviewed_by:
        return False
    try:
        evidence.reviewed_by = names.normalize_username("reviewed_by", evidence.reviewed_by)
    except ApprovalInputError as exc:
        evidence.problems.append(str(exc))
    return True


def _check_manual(
    url: str,
    approved_by: str,
    reviewed_by: str,
    source: str,
    operator: Mapping[str, Any],
    instance_url: str,
    environ: Mapping[str, str] | None,
) -> Evidence:
    try:
        may_be_operator = _policy(environ).reviewer_may_be_operator
    except PolicyError:
        may_be_operator = True
    approver, reviewer = str(approved_by or "").strip(), str(reviewed_by or "").strip()
    if not reviewer and may_be_operator:
        reviewer = str(operator.get("name") or operator.get("email") or "")
    evidence = Evidence(Source.MANUAL, url, " ".join(approver.split()), " ".join(reviewer.split()))
    evidence.operator = str(operator.get("name") or "")
    evidence.checks = ["the three values are typed by the operator: shape and separation of duties only"]
    if source != "manual" and not is_sandbox(instance_url, environ):
        evidence.problems.append(
            f"no approval source is configured for {instance_url}: set GITLAB_URL and GITLAB_TOKEN so the "
            "access-request issue is checked (runbooks.md, 'Access requests'), or say "
            "approval_source='manual' to record an approval that is NOT verified."
        )
    evidence.problems += approval_problems(
        url, approver, reviewer, dict(operator), reviewer_may_be_operator=may_be_operator
    )
    return evidence
