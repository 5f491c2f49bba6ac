"""Every endpoint's JSON validates against Zendesk's official schemas (copied in data/, see provenance)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import assert_documented_fields, bearer, client, oauth_value, validate
from zdlib.sandbox import seed as S

AUTOMATION = {
    "title": "Close pending tickets after 30 days",
    "conditions": {
        "all": [
            {"field": "status", "operator": "is", "value": "pending"},
            {"field": "PENDING", "operator": "greater_than", "value": "720"},
        ]
    },
    "actions": [{"field": "status", "value": "closed"}],
}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_users_endpoints(api):
    for params in ({"page[size]": 50}, {"per_page": 50, "page": 2}, {"role": "agent"}):
        body = ok(api.get("/api/v2/users.json", params=params))
        validate(body, "UsersResponse")
        for user in body["users"]:
            validate(user, "UserForAdmin")
            assert_documented_fields(user, "UserForAdmin")
    validate(ok(api.get(f"/api/v2/users/{S.AGENT_ID}")), "UserResponse")
    me = ok(api.get("/api/v2/users/me.json"))
    validate(me, "CurrentUserResponse")
    validate(me["user"], "UserForAdmin")
    validate(ok(api.get("/api/v2/users/search", params={"query": "role:admin"})), "UsersResponse")
    validate(
        ok(api.get("/api/v2/users/show_many", params={"ids": f"{S.ADMIN_ID},{S.END_USER_ID}"})),
        "UsersResponse",
    )
    validate(ok(api.get("/api/v2/users/count")), "CountResponse")
    changed = ok(api.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"suspended": True}}))
    validate(changed, "UserResponse")
    export = ok(api.get("/api/v2/incremental/users/cursor", params={"start_time": 0}))
    validate(export, "CursorBasedExportIncrementalUsersResponse")


def test_end_user_view_matches_end_user_schema(fresh_sandbox):
    with client(fresh_sandbox, bearer(oauth_value(fresh_sandbox, 3007))) as http:
        user = ok(http.get("/api/v2/users/me"))["user"]
    validate(user, "UserForEndUser")
    assert "suspended" not in user and "notes" not in user


def test_automation_endpoints(api):
    for path in ("/api/v2/automations", "/api/v2/automations/active.json"):
        body = ok(api.get(path))
        validate(body, "AutomationsResponse")
        for automation in body["automations"]:
            assert_documented_fields(automation, "AutomationObject")
    validate(ok(api.get("/api/v2/automations/search", params={"query": "close"})), "AutomationsResponse")
    validate(ok(api.get("/api/v2/automations/12345")), "AutomationResponse")
    created = ok(api.post("/api/v2/automations", json={"automation": AUTOMATION}), 201)
    validate(created, "AutomationResponse")
    validate(
        ok(api.put("/api/v2/automations/12345", json={"automation": {"active": False}})), "AutomationResponse"
    )
    many = ok(
        api.put(
            "/api/v2/automations/update_many.json",
            json={"automations": [{"id": 12346, "active": True, "position": 9}]},
        )
    )
    validate(many, "AutomationsResponse")


def test_oauth_client_endpoints(api):
    body = ok(api.get("/api/v2/oauth/clients"))
    validate(body, "OAuthClientsResponse")
    for item in body["clients"]:
        assert_documented_fields(item, "OAuthClientObject")
    validate(ok(api.get("/api/v2/oauth/clients/2001")), "OauthClientResponse")
    created = ok(
        api.post(
            "/api/v2/oauth/clients",
            json={"client": {"name": "Conformance", "identifier": "conformance_client"}},
        ),
        201,
    )
    validate(created, "OauthClientResponse")
    client_id = created["client"]["id"]
    validate(
        ok(api.put(f"/api/v2/oauth/clients/{client_id}", json={"client": {"name": "Renamed"}})),
        "OauthClientResponse",
    )
    validate(ok(api.put(f"/api/v2/oauth/clients/{client_id}/generate_secret")), "OauthClientResponse")


def test_oauth_token_endpoints(fresh_sandbox, api):
    body = ok(api.get("/api/v2/oauth/tokens", params={"all": "true"}))
    validate(body, "OAuthTokensResponse")
    for token in body["tokens"]:
        validate(token, "OauthTokenObject")
        assert_documented_fields(token, "OauthTokenObject")
    validate(ok(api.get("/api/v2/oauth/tokens/3001")), "OAuthTokenResponse")
    created = ok(
        api.post("/api/v2/oauth/tokens", json={"token": {"client_id": 2001, "scopes": ["read"]}}), 201
    )
    validate(created, "OAuthTokenResponse")
    with client(fresh_sandbox, bearer(fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"])) as http:
        validate(ok(http.get("/api/v2/oauth/tokens/current.json")), "OAuthTokenResponse")
    grant = ok(
        api.post(
            "/oauth/tokens",
            json={
                "grant_type": "client_credentials",
                "client_id": fresh_sandbox.env["ZENDESK_CLIENT_ID"],
                "client_secret": fresh_sandbox.env["ZENDESK_CLIENT_SECRET"],
                "scope": "read",
            },
        ),
        201,
    )
    validate(grant, "OAuthTokenForGrantTypesObject")


def test_audit_log_endpoints(api):
    body = ok(api.get("/api/v2/audit_logs"))
    validate(body, "AuditLogsResponse")
    for entry in body["audit_logs"]:
        validate(entry, "AuditLogObject")
        assert_documented_fields(entry, "AuditLogObject")
    validate(ok(api.get(f"/api/v2/audit_logs/{body['audit_logs'][0]['id']}")), "AuditLogResponse")


def test_error_envelopes_match_the_errors_schema(api):
    deep = api.get("/api/v2/users", params={"page": 101})
    assert deep.status_code == 400
    validate(deep.json(), "Errors")


def test_schema_check_is_not_vacuous():
    with pytest.raises(Exception, match="is not of type"):
        validate({"automation": {"id": "12345"}}, "AutomationResponse")
    with pytest.raises(AssertionError, match="undocumented"):
        assert_documented_fields({"id": 1, "invented": True}, "AutomationObject")
