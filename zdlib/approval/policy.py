"""The approval policy: a YAML file committed in the repository (`approval-policy.yaml` at its root).

`ZDLIB_APPROVAL_POLICY` names another file (the sandbox's env points it at the sandbox's own policy).
Process facts behind the defaults: zendesk-2026-12-updates.md 4.1 (the `AR-Approval::Manager Approved`
label, the project `gitlab-com/team-member-epics/access-requests`) and gitlab-ops.md 2.2 (the Customer
Support Operations engineer who reviews a request is the one who provisions it: the reviewer may be the
operator).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zdlib.approval.errors import ApprovalInputError, PolicyError
from zdlib.approval.names import normalize_username
from zdlib.yamlfile import strict_yaml

POLICY_FILE = "approval-policy.yaml"
POLICY_VARIABLE = "ZDLIB_APPROVAL_POLICY"
FIELDS = {
    "version",
    "description",
    "sandbox_only",
    "request_hosts",
    "allowed_projects",
    "approval_labels",
    "reviewers",
    "reviewer_may_be_operator",
    "max_approval_age_days",
    "template_window_seconds",
    "comment_back",
    "managers",
    "allow_manual",
    "bind_to_target",
    "runbook_labels",
    "self_service",
    "review_evidence",
    "max_plan_age_minutes",
}
REVIEW_KINDS = (
    "label_event",
    "note",
)  # what GitLab shows of a review: a label event, or a note, by the reviewer


@dataclass(frozen=True)
class Policy:
    """Who may approve and review what, as the repository says."""

    path: str
    allowed_projects: tuple[str, ...]
    approval_labels: tuple[str, ...] = ("AR-Approval::Manager Approved",)
    request_hosts: tuple[str, ...] = ("gitlab.com",)
    reviewer_users: tuple[str, ...] = ()
    reviewer_group: str = ""
    reviewer_may_be_operator: bool = True
    max_approval_age_days: int = 30
    template_window_seconds: int = 5
    comment_back: bool = True
    sandbox_only: bool = False
    managers: dict[str, str] = field(default_factory=dict)  # requester username -> manager username
    allow_manual: bool = False  # with GitLab configured, may an applied run use approval_source="manual"?
    #: the access request must name the change's target (id or name) in its title or description...
    bind_to_target: bool = True
    #: ...unless it carries a label this maps to the runbook (runbook -> labels)
    runbook_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: runbooks whose operator may be the requester, and the handbook's exception that allows it
    self_service: dict[str, str] = field(default_factory=dict)
    #: which GitLab facts count as the reviewer's review (REVIEW_KINDS)
    review_evidence: tuple[str, ...] = REVIEW_KINDS
    #: JupyterLab's "Apply this plan" refuses a plan older than this
    max_plan_age_minutes: int = 15
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def allows_project(self, project: str) -> bool:
        return project.lower() in {p.lower() for p in self.allowed_projects}

    def as_record(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "allowed_projects": list(self.allowed_projects),
            "approval_labels": list(self.approval_labels),
            "reviewers": {"users": list(self.reviewer_users), "group": self.reviewer_group},
            "reviewer_may_be_operator": self.reviewer_may_be_operator,
            "max_approval_age_days": self.max_approval_age_days,
            "comment_back": self.comment_back,
            "managers": dict(self.managers),
            "allow_manual": self.allow_manual,
            "bind_to_target": self.bind_to_target,
            "runbook_labels": {k: list(v) for k, v in self.runbook_labels.items()},
            "self_service": dict(self.self_service),
            "review_evidence": list(self.review_evidence),
            "max_plan_age_minutes": self.max_plan_age_minutes,
        }


def policy_path(environ: Mapping[str, str] | None = None, start: Path | None = None) -> Path:
    """`$ZDLIB_APPROVAL_POLICY`, else the nearest `approval-policy.yaml` from `start` (the cwd) up,
    else the one at the root of the checkout this package lives in."""
    environ = os.environ if environ is None else environ
    chosen = (environ.get(POLICY_VARIABLE) or "").strip()
    if chosen:
        return Path(chosen).expanduser()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / POLICY_FILE).is_file():
            return folder / POLICY_FILE
    return Path(__file__).resolve().parents[2] / POLICY_FILE


def load_policy(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Policy:
    """Read and check a policy file; raises PolicyError naming the file, the field and the fix."""
    file = Path(path) if path is not None else policy_path(environ)
    if not file.is_file():
        raise PolicyError(
            f"The approval policy {file} does not exist. Restore approval-policy.yaml at the repository "
            f"root (see runbooks.md, 'Access requests') or point {POLICY_VARIABLE} at a policy file."
        )
    try:
        data = strict_yaml(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise PolicyError(f"The approval policy {file} cannot be read as YAML: {exc}") from None
    return parse_policy(data, str(file))


def parse_policy(data: Any, path: str = POLICY_FILE) -> Policy:
    """A Policy from the parsed YAML mapping."""
    fields = _Fields(data, f"The approval policy {path}")
    reviewer_users, reviewer_group = fields.reviewers()
    return Policy(
        path=path,
        allowed_projects=fields.strings("allowed_projects", (), required=True),
        approval_labels=fields.strings("approval_labels", ("AR-Approval::Manager Approved",), required=True),
        request_hosts=tuple(
            h.lower() for h in fields.strings("request_hosts", ("gitlab.com",), required=True)
        ),
        reviewer_users=reviewer_users,
        reviewer_group=reviewer_group,
        reviewer_may_be_operator=fields.flag("reviewer_may_be_operator", True),
        max_approval_age_days=fields.number("max_approval_age_days", 30, 1, 3650),
        template_window_seconds=fields.number("template_window_seconds", 5, 0, 3600),
        comment_back=fields.flag("comment_back", True),
        sandbox_only=fields.flag("sandbox_only", False),
        managers=fields.managers(),
        allow_manual=fields.flag("allow_manual", False),
        bind_to_target=fields.flag("bind_to_target", True),
        runbook_labels=fields.string_lists("runbook_labels"),
        self_service=fields.texts("self_service"),
        review_evidence=fields.choices("review_evidence", REVIEW_KINDS),
        max_plan_age_minutes=fields.number("max_plan_age_minutes", 15, 1, 1440),
        description=str(fields.data.get("description", "")),
    )


class _Fields:
    """The policy's fields, each read with its type checked; an error names the file and the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(
                f"{where} must be a mapping of fields (allowed_projects, approval_labels, ...)."
            )
        unknown = sorted(set(data) - FIELDS)
        if unknown:
            raise PolicyError(
                f"{where} has unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}."
            )
        if data.get("version", 1) != 1:
            raise PolicyError(f"{where} has version {data.get('version')!r}; this zdlib reads version 1.")
        self.data, self.where = data, where

    def error(self, text: str) -> PolicyError:
        return PolicyError(f"{self.where}: {text}")

    def strings(self, name: str, default: tuple[str, ...], *, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(name, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(f"{name} must be a list of non-empty strings.")
        if required and not value:
            raise self.error(f"{name} must name at least one entry.")
        return tuple(v.strip() for v in value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error(f"{name} must be true or false, not {value!r}.")
        return value

    def number(self, name: str, default: int, low: int, high: int) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {}) or {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and k.strip() for k in value):
            raise self.error(f"{name} must map runbook names to values.")
        return {k.strip(): v for k, v in value.items()}

    def string_lists(self, name: str) -> dict[str, tuple[str, ...]]:
        """A mapping of runbook names to lists of non-empty strings (e.g. labels)."""
        found = {}
        for key, value in self.mapping(name).items():
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise self.error(f"{name}.{key} must be a list of non-empty strings.")
            found[key] = tuple(v.strip() for v in value)
        return found

    def texts(self, name: str) -> dict[str, str]:
        """A mapping of runbook names to one non-empty text each (e.g. the exception that applies)."""
        found = self.mapping(name)
        if not all(isinstance(v, str) and v.strip() for v in found.values()):
            raise self.error(f"{name} must map each runbook to a sentence (the exception that applies).")
        return {k: v.strip() for k, v in found.items()}

    def choices(self, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        value = self.strings(name, allowed, required=True)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise self.error(f"{name} may hold {', '.join(allowed)}; not {', '.join(unknown)}.")
        return value

    def reviewers(self) -> tuple[tuple[str, ...], str]:
        """`reviewers`: GitLab usernames, and a group path."""
        reviewers = self.data.get("reviewers", {}) or {}
        if not isinstance(reviewers, dict) or set(reviewers) - {"users", "group"}:
            raise self.error("reviewers must be a mapping with `users` (a list) and/or `group`.")
        users = reviewers.get("users", []) or []
        if not isinstance(users, list):
            raise self.error("reviewers.users must be a list of GitLab usernames.")
        try:
            names = tuple(normalize_username("reviewers.users entry", str(u)) for u in users)
        except ApprovalInputError as exc:
            raise self.error(str(exc)) from None
        group = reviewers.get("group", "") or ""
        if not isinstance(group, str):
            raise self.error("reviewers.group must be a GitLab group path, e.g. gitlab-com/support.")
        return names, group.strip().strip("/")

    def managers(self) -> dict[str, str]:
        """`managers`: each requester's manager, by GitLab username."""
        roster = self.data.get("managers", {}) or {}
        if not isinstance(roster, dict):
            raise self.error("managers must map requester usernames to their manager's username.")
        try:
            return {
                normalize_username("managers key", str(k)): normalize_username(f"managers[{k}]", str(v))
                for k, v in roster.items()
            }
        except ApprovalInputError as exc:
            raise self.error(str(exc)) from None
