"""The campaign's evidence in the records index: which run issued a token's replacing OAuth client, and which
run verified its deactivation through the API. Pure: it reads index lines (dicts of `index.jsonl`).

A create_token line counts when it issued a client (`oauth_client` change verified) with the parameter
`replaces_api_token` naming the token; a revoke_token line counts when its `api_token` change for the token
was verified (`active: false` read back after the person's Admin Center step). Only a run that succeeded
counts: a planned, waiting, refused, failed or interrupted run (or a damaged line) proves nothing and is
ignored, whatever its changes say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from zdlib.campaign.evidence import ClientIssued, RecordLine
from zdlib.record.outcome import Outcome

VERIFIED = "verified"


def _when(line: Mapping[str, Any]) -> datetime:
    """When the run acted, on the instance's clock (its `Date` header: the API facts it is compared with
    use that clock, and a sandbox's may be on another date); a line without it, when it finished."""
    moment = line.get("instance_started_at") or line["finished_at"]
    return datetime.fromisoformat(str(moment).replace("Z", "+00:00"))


def succeeded(line: Mapping[str, Any]) -> bool:
    """The run's outcome is a success (applied, no-op); an unknown outcome (a damaged line) is not."""
    try:
        return Outcome(str(line.get("outcome"))).succeeded
    except ValueError:
        return False


def _verified(line: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """The changes of `kind` the run verified through the API; none unless the run succeeded."""
    if not succeeded(line):
        return []
    return [c for c in line.get("changes") or [] if c.get("object") == kind and c.get("status") == VERIFIED]


def replaced_token(line: Mapping[str, Any]) -> int | None:
    """The API token a create_token line's client replaces, or None."""
    value = (line.get("parameters") or {}).get("replaces_api_token")
    try:
        return int(value) if value not in (None, "", 0, "0") else None
    except (TypeError, ValueError):
        return None


def issued(lines: Iterable[Mapping[str, Any]], token_id: int) -> ClientIssued | None:
    """The newest create_token run that issued a client replacing API token `token_id`."""
    found = None
    for line in lines:
        if line.get("runbook") != "create_token" or replaced_token(line) != token_id:
            continue
        clients = _verified(line, "oauth_client")
        if clients and isinstance(clients[0].get("id"), int):
            found = ClientIssued(str(line["name"]), _when(line), client_id=int(clients[0]["id"]))
    return found


def deactivation(lines: Iterable[Mapping[str, Any]], token_id: int) -> RecordLine | None:
    """The newest revoke_token run that verified API token `token_id` deactivated through the API."""
    found = None
    for line in lines:
        if line.get("runbook") != "revoke_token":
            continue
        for change in _verified(line, "api_token"):
            deactivated = change.get("field") == "active" and change.get("after") is False
            if change.get("id") == token_id and deactivated:
                found = RecordLine(str(line["name"]), _when(line))
    return found
