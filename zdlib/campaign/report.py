"""The campaign's state as one JSON object: what `migrate_api_tokens` keeps next to its record
(`campaign.json`), what `zdlib campaign --json` prints and what the campaign issue's checklist shows.

Shape (issue 23 part 3)::

    {"as_of": ISO, "deadline": "2027-04-30", "instance": str | None, "record": str | None,
     "counts": {state: n, ...},
     "tokens": [{"id", "description", "state", "since", "evidence": [{"what", "at", "record"}],
                 "next": {"who", "what"}, "last_safe_switch", "purge_on", "at_risk",
                 "owner", "access_request"}, ...]}

Tokens are ordered by id; times are ISO 8601 UTC with a `Z`; `since`, `at`, `record`, `purge_on`, `owner`
and `access_request` may be null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from zdlib.campaign.evidence import DEADLINE, TokenEvidence
from zdlib.campaign.states import Standing, State

SIDE_FILE = "campaign.json"
RUNBOOK = "migrate_api_tokens"


def iso(moment: datetime | None) -> str | None:
    """`2026-12-04T10:00:00Z`, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def token_entry(evidence: TokenEvidence, standing: Standing) -> dict[str, Any]:
    """One token's line of the report."""
    listed = evidence.listed
    request = evidence.access_request
    return {
        "id": standing.token_id,
        "description": listed.description if listed else "",
        "state": str(standing.state),
        "since": iso(standing.since),
        "evidence": [{"what": f.what, "at": iso(f.at), "record": f.record} for f in standing.evidence],
        "next": {"who": str(standing.next.who), "what": standing.next.what},
        "last_safe_switch": standing.last_safe_switch.isoformat(),
        "purge_on": standing.purge_on.isoformat() if standing.purge_on else None,
        "at_risk": standing.at_risk,
        "owner": request.owner if request else None,
        "access_request": request.url if request else None,
    }


def build(
    pairs: Iterable[tuple[TokenEvidence, Standing]],
    as_of: datetime,
    *,
    instance: str | None = None,
    record: str | None = None,
    deadline: date = DEADLINE,
) -> dict[str, Any]:
    """The whole report from each token's evidence and derived standing."""
    tokens = sorted((token_entry(ev, st) for ev, st in pairs), key=lambda t: t["id"])
    counts = {str(s): 0 for s in State}
    for token in tokens:
        counts[token["state"]] += 1
    return {
        "as_of": iso(as_of),
        "deadline": deadline.isoformat(),
        "instance": instance,
        "record": record,
        "counts": counts,
        "tokens": tokens,
    }


def comparable(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report without what changes on every run (`as_of`, `record`): two runs that found the same
    campaign compare equal, so a re-run that changes nothing can be recognised."""
    return {k: v for k, v in report.items() if k not in ("as_of", "record")}
