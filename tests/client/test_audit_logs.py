"""AuditLogs keeps to ListAuditLogs as documented: `filter[source_id]` only with `filter[source_type]`.

Evidence: Zendesk's OpenAPI document, ListAuditLogs, `filter[source_id]`: "Requires `filter[source_type]`
to also be set".
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.client.conftest import make_client
from zdlib.resources.audit_logs import first_about


def test_an_id_filter_without_its_type_is_refused_before_sending() -> None:
    sent: list[httpx.Request] = []
    client = make_client(lambda r: sent.append(r) or httpx.Response(200, json={"audit_logs": []}))
    with pytest.raises(ValueError, match="filter\\[source_type\\]"):
        client.audit_logs.list(source_id=3)
    with pytest.raises(ValueError, match="since"):
        client.audit_logs.about(3)  # no type and no window: an unbounded scan
    assert sent == []


def test_first_about_takes_only_the_objects_own_entry_and_stops_at_since() -> None:
    rows = [
        {"id": 1, "source_type": "user", "source_id": 7, "created_at": "2026-11-28T10:00:00Z"},
        {"id": 2, "source_type": "oauth_token", "source_id": 8, "created_at": "2026-11-28T09:59:00Z"},
        {"id": 3, "source_type": "oauth_token", "source_id": 7, "created_at": "2026-11-28T08:00:00Z"},
    ]
    since = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    assert first_about(rows, 7, since, skip_types=frozenset({"user"})) is None  # 3 is before the window
    assert first_about(rows, 7, skip_types=frozenset({"user"}))["id"] == 3
    assert first_about(rows, 7, of_type="user")["id"] == 1
    assert first_about(rows, 7, of_type="apitoken") is None
