"""Audit logs (Enterprise): list with filters, get, and the newest entry about one object.

Evidence: Zendesk's OpenAPI document (``reference/zendesk-oas/ticketing-2026-05.yaml``), operation
``ListAuditLogs`` and schema ``AuditLogObject``; ``reference/zendesk-api.md`` section 5.6.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from zdlib.pagination import CursorPages
from zdlib.resources._base import Resource

Moment = str | dt.datetime | dt.date

#: The source types of API-token entries. OAS ``AuditLogObject.source_type``: "Common values include
#: "apitoken"" (also zendesk-api.md 5.5 and 5.6); ``api_token`` is the resource's own spelling (its path and
#: JSON key), matched too in case an account reports it so.
API_TOKEN_SOURCE_TYPES = ("apitoken", "api_token")

#: Source types the OAS names for other objects (``AuditLogObject.source_type``, "Common values"): an entry
#: of one of these is never about an object whose own audit type Zendesk does not document (OAuth clients
#: and tokens).
DOCUMENTED_SOURCE_TYPES = frozenset({"apitoken", "rule", "ticket", "user", "zendesk/app_market/app"})


def _iso(moment: Moment) -> str:
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(moment, dt.date):
        return f"{moment.isoformat()}T00:00:00Z"
    return moment


def _when(entry: dict[str, Any]) -> dt.datetime:
    stamp = str(entry.get("created_at") or "")
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def first_about(
    entries: Iterable[dict[str, Any]],
    source_id: Any,
    since: dt.datetime | None = None,
    *,
    of_type: str | None = None,
    skip_types: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The first entry about object ``source_id`` (of type ``of_type`` if given) in a newest-first listing.

    The listing is read only down to ``since`` (ListAuditLogs sorts by ``-created_at`` by default, so
    nothing newer follows). An entry about another object is never taken, whatever the server filtered.
    """
    for entry in entries:
        if since is not None and _when(entry) < since:
            return None
        kind = entry.get("source_type")
        if str(entry.get("source_id")) != str(source_id) or kind in skip_types:
            continue
        if of_type is None or kind == of_type:
            return entry
    return None


class AuditLogs(Resource):
    """``/api/v2/audit_logs`` (403 on plans below Enterprise)."""

    def list(
        self,
        source_type: str | None = None,
        source_id: int | None = None,
        actor_id: int | None = None,
        action: str | Iterable[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
    ) -> CursorPages:
        """Newest first. ``since``/``until`` bound ``created_at`` (either may be left open).

        ``source_id`` needs ``source_type``: ListAuditLogs, ``filter[source_id]``: "Requires
        `filter[source_type]` to also be set" (what Zendesk does without it is not documented).
        """
        if source_id is not None and not source_type:
            raise ValueError(
                "An audit-log filter by source_id needs its source_type (Zendesk's ListAuditLogs requires "
                "filter[source_type] with filter[source_id]); use about() for objects of no documented type."
            )
        params: dict[str, Any] = {
            "filter[source_type]": source_type,
            "filter[source_id]": source_id,
            "filter[actor_id]": actor_id,
        }
        if isinstance(action, str):
            params["filter[action]"] = action
        elif action is not None:
            params["filter[action][]"] = list(action)
        if since is not None or until is not None:
            start = _iso(since) if since is not None else "1970-01-01T00:00:00Z"
            end = _iso(until) if until is not None else _iso(dt.datetime.now(dt.UTC))
            # Zendesk's audit-log guide sends the array form twice, start then end:
            # `filter[created_at][]=...&filter[created_at][]=...` (developer.zendesk.com
            # documentation/ticketing/using-the-zendesk-api/audit-logs, "Filtering by date"; UPD §3.2).
            # Without `[]`, a Rails server keeps only the last value.
            params["filter[created_at][]"] = [start, end]
        return self._client.paginate("/api/v2/audit_logs", "audit_logs", params=params)

    def about(
        self,
        source_id: Any,
        *,
        source_types: str | Iterable[str] = (),
        action: str | Iterable[str] | None = None,
        since: dt.datetime | None = None,
    ) -> dict[str, Any] | None:
        """The newest entry about the object ``source_id`` (not older than ``since``), or None.

        With ``source_types``: one listing per type, filtered by type and id as ListAuditLogs documents.
        Without (an object whose audit type Zendesk does not document, such as OAuth clients and tokens):
        one listing filtered by action only, read newest first down to ``since`` (required then), skipping
        entries of the types the OAS names for other objects. Either way an entry is taken only when its
        own ``source_id`` is the object's id (and, with types, its ``source_type`` the one asked for).
        """
        types = (source_types,) if isinstance(source_types, str) else tuple(source_types)
        if types:
            found = [
                first_about(
                    self.list(source_type=t, source_id=source_id, action=action), source_id, since, of_type=t
                )
                for t in types
            ]
            return max((e for e in found if e is not None), key=_when, default=None)
        if since is None:
            raise ValueError("An audit-log search without a source type needs `since` to bound it.")
        return first_about(self.list(action=action), source_id, since, skip_types=DOCUMENTED_SOURCE_TYPES)

    def get(self, audit_log_id: int) -> dict[str, Any]:
        return self._client.get(f"/api/v2/audit_logs/{int(audit_log_id)}")["audit_log"]


__all__ = ["API_TOKEN_SOURCE_TYPES", "DOCUMENTED_SOURCE_TYPES", "AuditLogs", "first_about"]
