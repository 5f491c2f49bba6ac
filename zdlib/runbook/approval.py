"""The approval gate: access request, manager approval and security review, by three different people."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_NAME = 200


@dataclass(frozen=True)
class Approval:
    """Evidence that a change was requested, approved and reviewed."""

    access_request_url: str
    approved_by: str
    reviewed_by: str


def _identities(person: str) -> set[str]:
    value = person.strip().lower()
    names = {value}
    if "@" in value:
        names.add(value.split("@", 1)[0])
    return names - {""}


def approval_problems(
    access_request_url: str | None,
    approved_by: str | None,
    reviewed_by: str | None,
    operator: dict | None,
) -> list[str]:
    """Every reason the approval is not good enough, in words an engineer can act on."""
    problems: list[str] = []
    url = (access_request_url or "").strip()
    if not url:
        problems.append("access_request_url is missing: give the URL of the approved access-request issue.")
    else:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc or " " in url:
            problems.append(
                f"access_request_url must be the https URL of the access-request issue, not {url!r}."
            )
    approver = (approved_by or "").strip()
    reviewer = (reviewed_by or "").strip()
    if not approver:
        problems.append("approved_by is missing: name the requester's manager who approved the request.")
    if not reviewer:
        problems.append("reviewed_by is missing: name the security reviewer (Customer Support Operations).")
    for field, person in (("approved_by", approver), ("reviewed_by", reviewer)):
        if len(person) > MAX_NAME or any(not c.isprintable() for c in person):
            problems.append(
                f"{field} is not a name or email ({len(person)} characters, at most {MAX_NAME} printable "
                "ones): give the person's name or email as on the access request."
            )
    if approver and reviewer and _identities(approver) & _identities(reviewer):
        problems.append("approved_by and reviewed_by are the same person: the review must be independent.")
    if operator:
        me = _identities(str(operator.get("email") or "")) | _identities(str(operator.get("name") or ""))
        if approver and _identities(approver) & me:
            problems.append("approved_by is the operator running this change: someone else must approve it.")
        if reviewer and _identities(reviewer) & me:
            problems.append("reviewed_by is the operator running this change: someone else must review it.")
    return problems
