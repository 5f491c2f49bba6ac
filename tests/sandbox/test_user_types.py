"""User updates are type-checked as the document types UserForAdmin (found by tests/conformance: a PUT
with `"locale": null` was stored and then served, violating the response schema)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import client
from zdlib.sandbox import seed as S


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"locale": None}, "locale"),
        ({"name": 42}, "name"),
        ({"suspended": "yes"}, "suspended"),
        ({"organization_id": True}, "organization_id"),
        ({"tags": ["ok", 3]}, "tags"),
    ],
)
def test_wrong_types_are_refused_and_nothing_changes(fresh_sandbox, fields, bad):
    """OAS ticketing-2026-05.yaml UserForAdmin: `locale`/`name` strings, `suspended` boolean,
    `organization_id` integer (nullable), `tags` array of strings; Zendesk's RecordInvalid
    (zendesk-api.md §1.2)."""
    with client(fresh_sandbox) as api:
        before = api.get(f"/api/v2/users/{S.AGENT_ID}").json()["user"]
        answer = api.put(f"/api/v2/users/{S.AGENT_ID}", json={"user": fields})
        assert answer.status_code == 422 and bad in answer.json()["details"]
        assert api.get(f"/api/v2/users/{S.AGENT_ID}").json()["user"] == before


def test_nullable_fields_accept_null(fresh_sandbox):
    with client(fresh_sandbox) as api:
        answer = api.put(f"/api/v2/users/{S.AGENT_ID}", json={"user": {"phone": None, "external_id": None}})
        assert answer.status_code == 200
