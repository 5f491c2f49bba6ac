"""The GitLab approval source: the access-request issue and its label events, through python-gitlab.

What is checked, and why (zendesk-2026-12-updates.md 4.1 and 4.2):
- the issue exists in an allowed project and is open (`project.issues.get(iid)`, `issue.state == "opened"`);
- it carries every approval label, and the latest resource label event on each is an `add`
  (`issue.resourcelabelevents.list(get_all=True)`, GitLab's Resource label events API
  https://docs.gitlab.com/api/resource_label_events/ "who, when, and which label was added or removed");
- that event is by the named manager, not by the requester (the issue's author), not at the issue's
  creation (role-based templates add the label by quick action when the issue is created), and not older
  than the policy allows; GitLab does not know anyone's manager, so the operator names them;
- the operator (the token's user, `GET /user`) is not the approver, nor the requester unless the policy
  names a self-service exception for the runbook (handbook-zendesk-api.txt, "Token creation requests": the
  team's own tokens and scripts skip the access request); the reviewer is one the policy allows, and GitLab
  shows their review: a label event or a note by them on the issue (Notes API, Resource label events API);
- the issue was not reopened after the approval (`issue.resourcestateevents`, GitLab's Resource state
  events API https://docs.gitlab.com/api/resource_state_events/): a reopened request is approved again;
- the issue names the change's target, or carries a label the policy maps to the runbook (`binding`).

Ages are judged to the second against GitLab's clock (its `Date` header), and a label event dated after
it is refused (security re-test 2026-12-04 L3, L4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from zdlib.approval.binding import binding
from zdlib.approval.errors import SourceError
from zdlib.approval.evidence import Evidence
from zdlib.approval.policy import Policy
from zdlib.approval.request_url import IssueRef
from zdlib.config import is_loopback, read_settings
from zdlib.redact import register_secret

URL_VARIABLE, TOKEN_VARIABLE, TIMEOUT_VARIABLE = "GITLAB_URL", "GITLAB_TOKEN", "GITLAB_TIMEOUT"
OPENED = "opened"
CLOCK_GRANULARITY = timedelta(seconds=1)  # GitLab's `Date` header has whole seconds, its events milliseconds


@dataclass(frozen=True)
class GitLabSettings:
    """Which GitLab API answers for access requests, with which token (never shown)."""

    url: str
    token: str = field(repr=False)
    timeout: float = 10.0


def gitlab_settings(environ: Mapping[str, str] | None = None) -> GitLabSettings | None:
    """`GITLAB_URL` + `GITLAB_TOKEN` (environment over the nearest `.env`), or None when neither is set."""
    values = read_settings("GITLAB_", environ=environ)
    url, token = values.get(URL_VARIABLE, "").strip(), values.get(TOKEN_VARIABLE, "").strip()
    if not url and not token:
        return None
    if not url or not token:
        missing = URL_VARIABLE if not url else TOKEN_VARIABLE
        raise SourceError(
            f"{missing} is not set while {TOKEN_VARIABLE if not token else URL_VARIABLE} is: set both "
            "(GITLAB_URL=https://gitlab.com and a token with read_api, plus api to comment back)."
        )
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        raise SourceError(f"{URL_VARIABLE} must be an https:// URL (http:// only for the local sandbox).")
    try:
        timeout = float(values.get(TIMEOUT_VARIABLE, "") or 10)
    except ValueError:
        raise SourceError(f"{TIMEOUT_VARIABLE} must be a number of seconds.") from None
    register_secret(TOKEN_VARIABLE, token)  # every text the process writes redacts it (an echo in an error)
    return GitLabSettings(url.rstrip("/"), token, timeout)


def connect(settings: GitLabSettings) -> Any:
    """A python-gitlab client (no retries of 5xx: a refusal is better than a slow guess)."""
    import gitlab

    return gitlab.Gitlab(
        settings.url,
        private_token=settings.token,
        timeout=settings.timeout,
        retry_transient_errors=False,
        keep_base_url=True,  # pagination links stay on the configured GitLab (a proxy or the look-alike)
    )


def _answer(code: int | None, message: Any) -> str:
    """`503 Service Unavailable` (GitLab's messages already start with the status)."""
    text = str(message)
    return text if text.startswith(str(code)) else f"{code} {text}"


def describe_error(exc: BaseException, what: str, settings: GitLabSettings) -> str:
    """A GitLab failure in words: status, GitLab's message, and what to do."""
    import gitlab
    import requests

    answer = _answer(getattr(exc, "response_code", None), getattr(exc, "error_message", ""))
    if isinstance(exc, gitlab.exceptions.GitlabAuthenticationError):
        return (
            f"GitLab at {settings.url} refused the token while reading {what} ({answer}). "
            "Check GITLAB_TOKEN: a personal or project access token with read_api (api to comment back)."
        )
    if isinstance(exc, gitlab.exceptions.GitlabError):
        code = exc.response_code
        if code == 404:
            return (
                f"GitLab at {settings.url} found no {what} ({answer}): check the URL, and "
                "that the token's user can see the project's confidential issues (Reporter role or more)."
            )
        if code == 403:
            return f"GitLab at {settings.url} did not let the token read {what} ({answer})."
        return (
            f"GitLab at {settings.url} failed while reading {what} ({answer}). "
            "Try again later; the approval cannot be verified now."
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return (
            f"GitLab at {settings.url} did not answer within {settings.timeout:g} s while reading {what}. "
            "Try again later, or raise GITLAB_TIMEOUT."
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return f"GitLab at {settings.url} could not be reached while reading {what} ({type(exc).__name__})."
    return f"Reading {what} from GitLab at {settings.url} failed: {type(exc).__name__}: {exc}"


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _age(delta: timedelta) -> str:
    """`31 days 2 hours` (to the hour: the limit is in days, judged to the second)."""
    days, hours = delta.days, delta.seconds // 3600
    return f"{days} days {hours} hours" if hours else f"{days} days"


def _username(person: Any) -> str:
    return str((person or {}).get("username") or "").lower()


class GitLabSource:
    """Checks one access request in GitLab; every finding lands in the Evidence it fills."""

    def __init__(self, settings: GitLabSettings, policy: Policy, gl: Any = None) -> None:
        self.settings = settings
        self.policy = policy
        self.gl = gl or connect(settings)
        self._me: tuple[str, datetime] | None = None

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except Exception as exc:
            raise SourceError(describe_error(exc, what, self.settings)) from None

    def whoami(self) -> tuple[str, datetime]:
        """The token's user and GitLab's clock (the `Date` header; the local clock if absent)."""
        if self._me is not None:
            return self._me
        response = self._call("the token's user (GET /user)", lambda: self.gl.http_request("get", "/user"))
        user = response.json()
        now: datetime | None = None
        try:
            now = parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            now = None
        self._me = (_username(user), now or datetime.now(UTC))
        return self._me

    def user_exists(self, username: str) -> bool:
        found = self._call(
            f"the user {username}", lambda: self.gl.users.list(username=username, get_all=True)
        )
        return any(str(u.username).lower() == username for u in found)

    def public_email(self, username: str) -> str:
        """The user's `public_email` from GitLab's users API ("" when they show none)."""
        found = self._call(
            f"the user {username}", lambda: self.gl.users.list(username=username, get_all=True)
        )
        for user in found:
            if str(user.username).lower() == username:
                return str(getattr(user, "public_email", "") or "").strip()
        return ""

    def in_reviewer_group(self, username: str) -> bool:
        group = self.policy.reviewer_group
        members = self._call(
            f"the members of group {group}",
            lambda: self.gl.groups.get(group).members_all.list(query=username, get_all=True),
        )
        return any(str(m.username).lower() == username for m in members)

    def check(self, ref: IssueRef, evidence: Evidence, targets: Sequence[Sequence[str]] = ()) -> None:
        """Fill `evidence` with the facts about `ref` and every problem with them (raises SourceError).

        `evidence.runbook` and `targets` (each object the change touches, by its names) say which change
        the request must authorise (`binding`).
        """
        policy = self.policy
        evidence.gitlab_url = self.settings.url
        approver, reviewer = evidence.approved_by, evidence.reviewed_by
        if not self._in_allowed_place(ref, evidence):
            return
        operator, now = self.whoami()
        evidence.operator = operator
        evidence.checked_at = _iso(now)
        project = self._call(f"the project {ref.project}", lambda: self.gl.projects.get(ref.project))
        issue = self._call(f"issue #{ref.iid} of {ref.project}", lambda: project.issues.get(ref.iid))
        facts = issue.attributes  # plain fields (`closed_by` is also a method name on ProjectIssue)
        author, created = self._read_issue(ref, facts, evidence)
        events = self._call(
            f"the label events of issue #{ref.iid}", lambda: issue.resourcelabelevents.list(get_all=True)
        )
        for label in policy.approval_labels:
            self._check_label(label, list(facts.get("labels") or []), events, author, created, now, evidence)
        self._check_reopened(ref, issue, evidence)
        self._check_roster(author, evidence)
        self._check_people(approver, reviewer, author, operator, evidence)
        self._check_review(ref, issue, events, reviewer, evidence)
        evidence.bound_by, problem = binding(policy, evidence.runbook, targets, facts)
        if problem:
            evidence.problems.append(problem)

    def _in_allowed_place(self, ref: IssueRef, evidence: Evidence) -> bool:
        """The request's host and project are the policy's; False when the project is not (nothing read)."""
        policy = self.policy
        if ref.host.lower() not in policy.request_hosts:
            evidence.problems.append(
                f"the access request is on {ref.host}, not on {', '.join(policy.request_hosts)} "
                f"({policy.name}: request_hosts)."
            )
        if not policy.allows_project(ref.project):
            evidence.problems.append(
                f"{ref.project} is not an access-request project in {policy.name} "
                f"(allowed: {', '.join(policy.allowed_projects)})."
            )
            return False
        return True

    def _read_issue(
        self, ref: IssueRef, facts: Mapping[str, Any], evidence: Evidence
    ) -> tuple[str, datetime | None]:
        """The issue's facts into the evidence, with a problem when it is another issue or not open;
        returns (the requester, when it was created)."""
        author = _username(facts.get("author"))
        created = _when(facts.get("created_at"))
        labels = list(facts.get("labels") or [])
        evidence.issue = {
            "title": facts.get("title"),
            "state": facts.get("state"),
            "author": author,  # the requester: the person receiving access
            "author_public_email": self.public_email(author) if author else "",
            "url": facts.get("web_url"),
            "created_at": _iso(created),
            "confidential": bool(facts.get("confidential")),
            "labels": labels,
        }
        if str(facts.get("web_url")).lower() != ref.url.lower():
            evidence.problems.append(
                f"GitLab answered with another issue ({facts.get('web_url')}), not {ref.url}."
            )
        if facts.get("state") != OPENED:
            closed, by = facts.get("closed_at"), _username(facts.get("closed_by"))
            when = f" on {_iso(_when(closed))}" if closed else ""
            evidence.problems.append(
                f"the issue is {facts.get('state')}{' by ' + by if by else ''}{when}: an access request is "
                "provisioned while it is open."
            )
        return author, created

    def _check_label(
        self,
        label: str,
        labels: list[str],
        events: list[Any],
        author: str,
        created: datetime | None,
        now: datetime,
        evidence: Evidence,
    ) -> None:
        policy, approver = self.policy, evidence.approved_by
        mine = [e for e in events if str((e.label or {}).get("name", "")) == label]
        mine.sort(key=lambda e: (_when(e.created_at) or datetime.min.replace(tzinfo=UTC), e.id))
        if label not in labels:
            if mine and mine[-1].action == "remove":
                last = mine[-1]
                evidence.problems.append(
                    f"the label {label!r} was removed by {_username(last.user)} on "
                    f"{_iso(_when(last.created_at))}: the manager must add it again."
                )
            else:
                evidence.problems.append(
                    f"the issue does not carry the label {label!r}: the manager approves by adding it."
                )
            return
        if not mine:
            evidence.problems.append(
                f"GitLab has no label event for {label!r}, so who added it is unknown: ask the manager to "
                "remove and add it again."
            )
            return
        last = mine[-1]
        who, when = _username(last.user), _when(last.created_at)
        evidence.label_event = {
            "id": last.id,
            "label": label,
            "action": last.action,
            "user": who,
            "created_at": _iso(when),
        }
        said = f"the label {label!r} was added by {who}"
        on = f"on {_iso(when)}"
        if last.action != "add":
            evidence.problems.append(f"the latest event on {label!r} is a {last.action} by {who} {on}.")
        elif created and when and abs((when - created).total_seconds()) <= policy.template_window_seconds:
            evidence.problems.append(
                f"{said} {on}, when the issue was created ({_iso(created)}): a template's quick action, not "
                "a manager's approval. The manager must approve this request."
            )
        elif who == author:
            evidence.problems.append(
                f"{said}, the requester (the issue's author), {on}: the requester's manager must approve."
            )
        elif who != approver:
            evidence.problems.append(f"{said} {on}, not by {approver}, the named manager.")
        if when:
            self._check_age(f"{said} {on}", when, now, evidence)

    def _check_age(self, said: str, when: datetime, now: datetime, evidence: Evidence) -> None:
        """An approval is judged to the second against GitLab's clock; one dated after it is no evidence."""
        policy = self.policy
        if when > now + CLOCK_GRANULARITY:
            evidence.problems.append(
                f"{said}, after GitLab's own time now ({_iso(now)}): an event dated in the future is "
                "not evidence. Ask the manager to remove and add the label again, and report this issue."
            )
        elif now - when > timedelta(days=policy.max_approval_age_days):
            evidence.problems.append(
                f"{said}, {_age(now - when)} ago; {policy.name} accepts approvals up to "
                f"{policy.max_approval_age_days} days old: ask the manager to approve again."
            )

    def _check_reopened(self, ref: IssueRef, issue: Any, evidence: Evidence) -> None:
        """A request closed and reopened after its approval must be approved again."""
        approved = _when((evidence.label_event or {}).get("created_at"))
        if approved is None or evidence.label_event.get("action") != "add":  # type: ignore[union-attr]
            return
        states = self._call(
            f"the state events of issue #{ref.iid}", lambda: issue.resourcestateevents.list(get_all=True)
        )
        reopened = [
            e for e in states if e.state == "reopened" and (_when(e.created_at) or approved) > approved
        ]
        if reopened:
            last = reopened[-1]
            evidence.problems.append(
                f"the issue was reopened by {_username(last.user)} on {_iso(_when(last.created_at))}, after "
                f"the approval of {_iso(approved)}: a reopened request must be approved again (the manager "
                "removes and adds the label)."
            )

    def _check_review(
        self, ref: IssueRef, issue: Any, events: list[Any], reviewer: str, evidence: Evidence
    ) -> None:
        """The reviewer counts when GitLab shows their review: a label event or a note by them."""
        kinds = self.policy.review_evidence
        if not reviewer:
            return
        if "label_event" in kinds:
            mine = [e for e in events if _username(e.user) == reviewer]
            if mine:
                last = mine[-1]
                label = (last.label or {}).get("name")
                evidence.review = {
                    "kind": "label_event",
                    "id": last.id,
                    "created_at": last.created_at,
                    "what": f"{last.action} {label!r}",
                }
                return
        if "note" in kinds:
            notes = self._call(f"the notes of issue #{ref.iid}", lambda: issue.notes.list(get_all=True))
            mine = [n for n in notes if _username(n.author) == reviewer and not getattr(n, "system", False)]
            if mine:
                last = max(
                    mine, key=lambda n: (_when(n.created_at) or datetime.min.replace(tzinfo=UTC), n.id)
                )
                evidence.review = {"kind": "note", "id": last.id, "created_at": last.created_at}
                return
        shown = " or ".join({"label_event": "a label event", "note": "a note"}[k] for k in kinds)
        evidence.problems.append(
            f"GitLab shows no review by {reviewer} on the issue ({shown} by them, per {self.policy.name}): "
            "the reviewer records the review on the access request (a comment, or the review label) before "
            "the change."
        )

    def _check_roster(self, author: str, evidence: Evidence) -> None:
        """GitLab does not know managers: the policy's roster (when it has one) names each requester's."""
        policy, approver = self.policy, evidence.approved_by
        if not policy.managers or not author:
            return
        expected = policy.managers.get(author)
        if expected is None:
            evidence.problems.append(
                f"{author} (the requester) is not in {policy.name}'s roster (managers): add "
                f"`{author}: <their manager's GitLab username>` to it, so the approver can be checked."
            )
            return
        if approver != expected:
            adder = (evidence.label_event or {}).get("user")
            evidence.problems.append(
                f"{author}'s manager is {expected} in the policy's roster ({policy.name}: managers)"
                + (f"; the label was added by {adder}" if adder else "")
                + f" and approved_by is {approver}: {expected} must approve."
            )

    def _check_people(
        self, approver: str, reviewer: str, author: str, operator: str, evidence: Evidence
    ) -> None:
        policy = self.policy
        if approver == operator:
            evidence.problems.append(
                f"the approver {approver} is the operator running this change (the GitLab token's user): "
                "someone else must approve it."
            )
        if operator and operator == author:
            exception = policy.self_service.get(evidence.runbook, "")
            if exception:
                evidence.self_service = exception
            else:
                evidence.problems.append(
                    f"the operator {operator} (the GitLab token's user) is the requester (the issue's "
                    f"author): someone else runs the change, unless {policy.name} names a self-service "
                    f"exception for {evidence.runbook or 'this runbook'} (self_service)."
                )
        if reviewer == approver:
            evidence.problems.append(
                f"the reviewer {reviewer} is also the approver: the review must be independent."
            )
        if reviewer == author:
            evidence.problems.append(f"the reviewer {reviewer} is the requester (the issue's author).")
        if reviewer == operator and not policy.reviewer_may_be_operator:
            evidence.problems.append(
                f"the reviewer {reviewer} is the operator, and {policy.name} says "
                "reviewer_may_be_operator: false."
            )
        if not policy.reviewer_users and not policy.reviewer_group:
            evidence.problems.append(
                f"{policy.name} names no reviewers (reviewers.users or reviewers.group): add the Customer "
                "Support Operations reviewers' GitLab usernames or group."
            )
        elif reviewer not in policy.reviewer_users and not (
            policy.reviewer_group and self.in_reviewer_group(reviewer)
        ):
            allowed = ", ".join(policy.reviewer_users) or f"members of {policy.reviewer_group}"
            if policy.reviewer_users and policy.reviewer_group:
                allowed += f", members of {policy.reviewer_group}"
            evidence.problems.append(
                f"{reviewer} may not review access requests ({policy.name} allows {allowed})."
            )
        for role, name in (("approver", approver), ("reviewer", reviewer)):
            if name and not self.user_exists(name):
                evidence.problems.append(f"the {role} {name} is not a GitLab user on {self.settings.url}.")
