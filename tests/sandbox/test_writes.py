"""Writes: OAuth clients/tokens/grants, API tokens, automations, users; each leaves an audit log entry."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.support import bearer, client
from zdlib.sandbox import seed as S


def latest_audit(api, **filters) -> dict:
    params = {f"filter[{k}]": v for k, v in filters.items()}
    return api.get("/api/v2/audit_logs", params=params).json()["audit_logs"][0]


def grant(api, sb, **extra):
    body = {
        "grant_type": "client_credentials",
        "client_id": sb.env["ZENDESK_CLIENT_ID"],
        "client_secret": sb.env["ZENDESK_CLIENT_SECRET"],
        "scope": "read write",
        **extra,
    }
    return api.post("/oauth/tokens", json=body)


def test_every_write_is_audited(fresh_sandbox, api, api_token_writes):
    writes = [
        (
            api.put("/api/v2/automations/12345", json={"automation": {"active": False}}),
            "update",
            "rule",
            12345,
        ),
        (
            api.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"suspended": True}}),
            "update",
            "user",
            S.END_USER_ID,
        ),
        (api.put("/api/v2/api_tokens/3", json={"api_token": {"active": False}}), "update", "apitoken", 3),
        (api.delete("/api/v2/api_tokens/5"), "destroy", "apitoken", 5),
        (api.put("/api/v2/oauth/clients/2003/generate_secret"), "update", "oauth_client", 2003),
        (api.delete("/api/v2/oauth/tokens/3004"), "destroy", "oauth_token", 3004),
        (api.delete("/api/v2/automations/12346"), "destroy", "rule", 12346),
    ]
    for response, action, source_type, source_id in writes:
        assert response.status_code in (200, 204), response.text
        entry = latest_audit(api, source_type=source_type, source_id=source_id)
        assert (entry["action"], entry["actor_id"], entry["actor_name"]) == (action, S.ADMIN_ID, "Ada Admin")
    entry = latest_audit(api, source_type="rule", source_id=12345)
    assert entry["change_description"] == "Deactivated"
    assert entry["created_at"].startswith("2026-11-28")
    assert (
        "Suspended changed from false to true" in latest_audit(api, source_type="user")["change_description"]
    )


def test_audit_filters_sort_and_show(fresh_sandbox, api):
    api.put("/api/v2/automations/12345", json={"automation": {"title": "Renamed"}})
    body = api.get(
        "/api/v2/audit_logs", params={"filter[action][]": ["update"], "filter[actor_id]": S.ADMIN_ID}
    )
    entries = body.json()["audit_logs"]
    assert entries and all(e["action"] == "update" and e["actor_id"] == S.ADMIN_ID for e in entries)
    everything = api.get("/api/v2/audit_logs").json()["audit_logs"]
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    oldest = api.get("/api/v2/audit_logs", params={"sort": "created_at", "page[size]": 2}).json()
    assert oldest["audit_logs"][0]["id"] == min(e["id"] for e in everything)
    assert api.get(f"/api/v2/audit_logs/{everything[0]['id']}").json()["audit_log"] == everything[0]


def test_audit_logs_need_an_enterprise_plan():
    from zdlib.sandbox.server import SandboxServer

    with SandboxServer(plan="professional") as pro, client(pro) as http:
        assert http.get("/api/v2/audit_logs").status_code == 403


def test_oauth_token_full_value_is_shown_once(api):
    created = api.post("/api/v2/oauth/tokens", json={"token": {"client_id": 2003, "scopes": ["users:read"]}})
    token = created.json()["token"]
    assert (
        created.status_code == 201
        and len(token["full_token"]) == 64
        and token["token"] == token["full_token"][:10]
    )
    listed = api.get("/api/v2/oauth/tokens", params={"all": "true", "client_id": 2003}).json()["tokens"]
    assert [t["id"] for t in listed] == [token["id"]] and "full_token" not in listed[0]
    assert token["full_token"] not in json.dumps(listed)
    invalid = api.post("/api/v2/oauth/tokens", json={"token": {"client_id": 999, "scopes": ["read"]}})
    assert invalid.status_code == 422 and invalid.json()["error"] == "RecordInvalid"


def test_client_credentials_grant_acts_as_the_owner(fresh_sandbox, api):
    issued = grant(api, fresh_sandbox, expires_in=301)
    assert issued.status_code == 201
    body = issued.json()
    assert (body["token_type"], body["scope"], body["expires_in"]) == ("bearer", "read write", 301)
    with client(fresh_sandbox, bearer(body["access_token"])) as http:
        assert http.get("/api/v2/users/me").json()["user"]["id"] == S.ADMIN_ID
    form = api.post(
        "/oauth/tokens",
        data={
            "grant_type": "client_credentials",
            "scope": "read",
            "client_id": fresh_sandbox.env["ZENDESK_CLIENT_ID"],
            "client_secret": fresh_sandbox.env["ZENDESK_CLIENT_SECRET"],
        },
    )
    assert form.status_code == 201


@pytest.mark.parametrize("expires_in", [300, 172800, "soon"])
def test_expires_in_bounds(fresh_sandbox, api, expires_in):
    refused = grant(api, fresh_sandbox, expires_in=expires_in)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"


def test_grant_failures(fresh_sandbox, api):
    wrong = grant(api, fresh_sandbox, client_secret="nope")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    unsupported = grant(api, fresh_sandbox, grant_type="password")
    assert unsupported.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_the_token(fresh_sandbox, api):
    refresh_token = S.oauth_refresh_value(fresh_sandbox.options.seed, S.REFRESHABLE_TOKEN_ID)
    body = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": fresh_sandbox.env["ZENDESK_CLIENT_ID"],
        "client_secret": fresh_sandbox.env["ZENDESK_CLIENT_SECRET"],
    }
    refreshed = api.post("/oauth/tokens", json=body)
    assert refreshed.status_code == 201 and refreshed.json()["refresh_token"] != refresh_token
    old_value = S.oauth_token_value(fresh_sandbox.options.seed, S.REFRESHABLE_TOKEN_ID)
    with client(fresh_sandbox, bearer(old_value)) as old:
        assert old.get("/api/v2/users/me").status_code == 401
    with client(fresh_sandbox, bearer(refreshed.json()["access_token"])) as new:
        assert new.get("/api/v2/users/me").status_code == 200
    again = api.post("/oauth/tokens", json=body)
    assert again.json()["error"] == "invalid_grant"


def test_oauth_client_lifecycle(api):
    created = api.post(
        "/api/v2/oauth/clients", json={"client": {"name": "Temp", "identifier": "temp_client"}}
    )
    secret = created.json()["client"]["secret"]
    assert created.status_code == 201 and len(secret) == 64
    client_id = created.json()["client"]["id"]
    shown = api.get(f"/api/v2/oauth/clients/{client_id}").json()["client"]
    assert shown["secret"] != secret and shown["secret"].startswith(secret[:6])
    duplicate = api.post(
        "/api/v2/oauth/clients", json={"client": {"name": "Dup", "identifier": "temp_client"}}
    )
    assert duplicate.json()["details"]["identifier"][0]["error"] == "DuplicateValue"
    rotated = api.put(f"/api/v2/oauth/clients/{client_id}/generate_secret").json()["client"]["secret"]
    assert rotated != secret and len(rotated) == 64
    assert api.delete("/api/v2/oauth/clients/2002").status_code == 204
    remaining = api.get("/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
    assert not [t for t in remaining if t["client_id"] == 2002]


def test_api_token_list_and_admin_center_writes(fresh_sandbox, api, api_token_writes):
    listed = api.get("/api/v2/api_tokens.json", params={"include_users": "true"}).json()["api_tokens"]
    assert [t["id"] for t in listed] == [t.id for t in S.API_TOKENS]
    first = listed[0]
    assert (first["user_name"], first["user_email"]) == ("Ada Admin", S.ADMIN_EMAIL)
    assert first["last_used"] is not None and listed[5]["last_used"] is None
    assert "user_name" not in api.get("/api/v2/api_tokens").json()["api_tokens"][0]
    text = json.dumps(listed)
    for seeded in S.API_TOKENS:
        assert S.api_token_value(fresh_sandbox.options.seed, seeded.id) not in text
    assert (
        api.put("/api/v2/api_tokens/2", json={"api_token": {"active": False}}).json()["api_token"]["active"]
        is False
    )
    assert (
        api.put("/api/v2/api_tokens/2", json={"api_token": {"active": True}}).json()["api_token"]["active"]
        is True
    )
    assert api.delete("/api/v2/api_tokens/2").status_code == 204
    assert api.get("/api/v2/api_tokens/2").status_code == 404


def test_automation_writes_and_validation(api):
    invalid = api.post("/api/v2/automations", json={"automation": {"title": ""}})
    assert invalid.status_code == 422
    assert invalid.json()["details"]["title"][0] == {
        "description": "Title: cannot be blank",
        "error": "BlankValue",
    }
    no_time = api.post(
        "/api/v2/automations",
        json={
            "automation": {
                "title": "x",
                "conditions": {"all": [{"field": "status", "operator": "is", "value": "open"}]},
                "actions": [{"field": "status", "value": "closed"}],
            }
        },
    )
    assert "time-based" in no_time.json()["details"]["base"][0]["description"]
    assert (
        api.put(
            "/api/v2/automations/update_many",
            json={"automations": [{"id": 12345, "active": False}, {"id": 12347, "active": True}]},
        ).status_code
        == 200
    )
    active = {a["id"] for a in api.get("/api/v2/automations/active").json()["automations"]}
    assert 12345 not in active and 12347 in active
    assert api.delete("/api/v2/automations/destroy_many", params={"ids": "12348,12349"}).status_code == 204
    assert api.get("/api/v2/automations/12348").status_code == 404
    assert api.put("/api/v2/automations/12345", content=b"{not json").status_code == 400


def test_json_suffix_is_optional(api):
    assert api.get("/api/v2/automations/12345.json").json() == api.get("/api/v2/automations/12345").json()
