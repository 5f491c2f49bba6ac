"""API tokens: Zendesk's public API has no writes, so the sandbox serves them only on request; the person
acting in Admin Center is played through `POST /sandbox/admin-center/api_tokens/{id}`.

Evidence: the May-2026 OpenAPI document has no `/api/v2/api_tokens`; zendesk-api.md 5.5 finds no public
create/deactivate/delete endpoint; unknown routes answer 404 `InvalidEndpoint` before credentials are checked
(zendesk-api.md 1.2 and 2.2).
"""

from __future__ import annotations

import pytest

from tests.sandbox.support import client, control_key
from zdlib.sandbox import seed as S

INVALID_ENDPOINT = {"error": "InvalidEndpoint", "description": "Not found"}


def latest_audit(http, token_id: int) -> dict:
    params = {"filter[source_type]": "apitoken", "filter[source_id]": token_id}
    return http.get("/api/v2/audit_logs", params=params).json()["audit_logs"][0]


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v2/api_tokens"), ("PUT", "/api/v2/api_tokens/3"), ("DELETE", "/api/v2/api_tokens/3")],
)
def test_api_token_writes_are_unknown_routes_by_default(fresh_sandbox, method, path):
    for headers in ({}, None):  # without credentials too: the route is resolved first
        with client(fresh_sandbox, headers) as http:
            response = http.request(method, path, json={"api_token": {"active": False}})
        assert (response.status_code, response.json()) == (404, INVALID_ENDPOINT)
    with client(fresh_sandbox) as http:
        assert next(t for t in http.get("/api/v2/api_tokens").json()["api_tokens"] if t["id"] == 3)["active"]


def test_api_token_writes_served_with_the_option(api_token_writes):
    with client(api_token_writes) as http:
        response = http.put("/api/v2/api_tokens/3", json={"api_token": {"active": False}})
    assert response.status_code == 200 and response.json()["api_token"]["active"] is False


def test_admin_center_deactivate_then_delete_is_audited_as_the_admin(fresh_sandbox):
    control = fresh_sandbox.control
    assert control.admin_center_api_token(3, "deactivate")["api_token"]["active"] is False
    with client(fresh_sandbox) as http:
        listed = {t["id"]: t for t in http.get("/api/v2/api_tokens").json()["api_tokens"]}
        entry = latest_audit(http, 3)
        assert listed[3]["active"] is False
        assert (entry["action"], entry["actor_id"]) == ("update", S.ADMIN_ID)
        assert "Admin Center" in entry["change_description"]
        assert control.admin_center_api_token(3, "delete") == {"deleted": 3}
        assert 3 not in {t["id"] for t in http.get("/api/v2/api_tokens").json()["api_tokens"]}
        assert latest_audit(http, 3)["action"] == "destroy"


def test_admin_center_refuses_unknown_actions_and_tokens(fresh_sandbox):
    with client(fresh_sandbox, control_key(fresh_sandbox)) as http:
        bad = http.post("/sandbox/admin-center/api_tokens/3", json={"action": "undelete"})
        missing = http.post("/sandbox/admin-center/api_tokens/999", json={"action": "delete"})
    assert bad.status_code == 400 and "deactivate" in bad.json()["description"]
    assert missing.status_code == 404


def test_a_deactivated_token_is_reactivated_in_admin_center_until_the_retirement(fresh_sandbox):
    """The rollback of a deactivation (migration-research.md: reversible for about 60 days, never after
    2027-04-30); the token works again and the audit log says who did it."""
    control = fresh_sandbox.control
    control.admin_center_api_token(3, "deactivate")
    assert control.admin_center_api_token(3, "reactivate")["api_token"]["active"] is True
    with client(fresh_sandbox) as http:
        assert next(t for t in http.get("/api/v2/api_tokens").json()["api_tokens"] if t["id"] == 3)["active"]
        assert latest_audit(http, 3)["change_description"] == "Reactivated API token (Admin Center)"
    control.set_clock(as_of="2027-04-20T00:00:00Z")
    control.admin_center_api_token(3, "deactivate")
    control.set_clock(as_of="2027-05-01T00:00:00Z")  # every API token retired; this one not yet deleted
    with client(fresh_sandbox, control_key(fresh_sandbox)) as http:
        refused = http.post("/sandbox/admin-center/api_tokens/3", json={"action": "reactivate"})
    assert refused.status_code == 422 and "retired" in refused.text
