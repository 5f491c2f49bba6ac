"""Whether an access request authorises this change: it names the change's target, or carries a label the
policy maps to the runbook. An approval for something else is refused with the facts found.

Security re-test 2026-12-04 M1: an approved request about light-agent access authorised deleting an
automation, because nothing compared the issue with the change. The handbook's requests name what they are
for in the title and the description's checkbox lines (zendesk-2026-12-updates.md 4.1, "Checkboxes").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zdlib.approval.policy import Policy


def names_target(text: str, name: str) -> bool:
    """True when `name` stands in `text` as a whole token (`12345` is not in `123456`; case ignored)."""
    name = name.strip()
    if not name:
        return False
    after = r"(?![\w/-])" if name.startswith("/") else r"(?![\w-])"  # a path is not a longer path's start
    pattern = r"(?<![\w-])" + re.escape(name) + after
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def binding(
    policy: Policy, runbook: str, targets: Sequence[Sequence[str]], issue: Mapping[str, Any]
) -> tuple[str, str]:
    """(how the request is bound to the change, or "" ; the problem, or "") from the issue's facts.

    `targets`: one entry per object the change touches, each the names it may go by (an id, a name, a
    path); every object must be named. None means the change is the request itself (create_token issues
    the credential the issue asks for), or its objects were issued for this request.
    """
    wanted = [[str(n).strip() for n in names if str(n).strip()] for names in targets]
    wanted = [names for names in wanted if names]
    if not wanted:
        return "the change is the access request itself, or what was issued for it", ""
    if not policy.bind_to_target:
        return "not required by the policy (bind_to_target: false)", ""
    labels = set(issue.get("labels") or [])
    mapped = [label for label in policy.runbook_labels.get(runbook, ()) if label in labels]
    if mapped:
        return f"the issue carries {mapped[0]!r}, which {policy.name} maps to {runbook}", ""
    text = f"{issue.get('title') or ''}\n{issue.get('description') or ''}"
    found = [next((n for n in names if names_target(text, n)), "") for names in wanted]
    missing = [
        " or ".join(repr(n) for n in names) for names, hit in zip(wanted, found, strict=True) if not hit
    ]
    if not missing:
        return "the issue names " + ", ".join(repr(hit) for hit in found), ""
    labels_hint = policy.runbook_labels.get(runbook)
    how = f" or carry one of the labels {', '.join(labels_hint)}" if labels_hint else ""
    return "", (
        f"the access request does not name this change's target ({'; '.join(missing)}) in its title or "
        f"description{how}: it was approved for something else ({issue.get('title')!r}). File or amend an "
        "access request that names what this run changes, and have it approved."
    )
