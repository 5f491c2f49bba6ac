"""Authentication kinds and their failures, scopes, roles and Zendesk's 401/403 bodies."""

from __future__ import annotations

import base64

import pytest

from tests.sandbox.support import basic, bearer, client, oauth_value, token_auth
from zdlib.sandbox import seed as S

COULDNT = {"error": "Couldn't authenticate you"}
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": (
        "The access token provided is expired, revoked, malformed or invalid for other reasons."
    ),
}
NO_ACCESS = {
    "error": {
        "title": "Forbidden",
        "message": (
            "You do not have access to this page. "
            "Please contact the account owner of this help desk for further help."
        ),
    }
}


def get(sb, path, headers):
    with client(sb, headers) as http:
        return http.get(path)


def test_api_token_basic_acts_as_the_email_given(fresh_sandbox):
    me = get(fresh_sandbox, "/api/v2/users/me", token_auth(fresh_sandbox))
    assert me.json()["user"]["id"] == S.ADMIN_ID
    as_agent = get(fresh_sandbox, "/api/v2/users/me", token_auth(fresh_sandbox, S.AGENT_EMAIL))
    assert as_agent.json()["user"]["id"] == S.AGENT_ID


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Token abc"},
    ],
    ids=["none", "garbage", "unknown-scheme"],
)
def test_missing_or_malformed_credentials(fresh_sandbox, headers):
    response = get(fresh_sandbox, "/api/v2/users", headers)
    assert response.status_code == 401
    assert response.json() == COULDNT
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_wrong_api_token_is_401_even_on_me(fresh_sandbox):
    bad = token_auth(fresh_sandbox, token="x" * 40)
    assert get(fresh_sandbox, "/api/v2/users", bad).json() == COULDNT
    response = get(fresh_sandbox, "/api/v2/users/me", bad)
    assert (response.status_code, response.json()) == (401, COULDNT)


def test_me_is_anonymous_without_credentials_or_with_a_wrong_password(fresh_sandbox):
    for headers in ({}, basic(S.ADMIN_EMAIL, "wrong-password")):
        response = get(fresh_sandbox, "/api/v2/users/me", headers)
        assert response.status_code == 200
        assert response.json()["user"]["name"] == "Anonymous user"
        assert response.json()["user"]["id"] is None


def test_handbook_echo_without_n_adds_a_newline_that_zendesk_rejects(fresh_sandbox):
    # `echo 'email/token:TOKEN' | base64` encodes a trailing newline into the password
    env = fresh_sandbox.env
    raw = f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}\n".encode()
    response = get(
        fresh_sandbox, "/api/v2/users", {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    )
    assert response.status_code == 401


def test_bearer_token_works_and_revoked_or_expired_is_invalid_token(fresh_sandbox):
    token = fresh_sandbox.env["ZENDESK_OAUTH_TOKEN"]
    assert get(fresh_sandbox, "/api/v2/users/me", bearer(token)).json()["user"]["id"] == S.ADMIN_ID
    expired = get(
        fresh_sandbox, "/api/v2/users", bearer(oauth_value(fresh_sandbox, S.OAUTH_TOKEN_IDS_EXPIRED[0]))
    )
    assert (expired.status_code, expired.json()) == (401, INVALID_TOKEN)
    with client(fresh_sandbox, bearer(token)) as http:
        assert http.delete("/api/v2/oauth/tokens/current").status_code == 204
        revoked = http.get("/api/v2/users")
    assert (revoked.status_code, revoked.json()) == (401, INVALID_TOKEN)
    assert get(fresh_sandbox, "/api/v2/users/me", bearer("nope")).status_code == 401


@pytest.mark.parametrize("user_email", ["sam.suspended", "sid.suspended", "una.unverified"])
def test_suspended_and_unverified_users_cannot_authenticate(fresh_sandbox, user_email):
    headers = token_auth(fresh_sandbox, f"{user_email}@{S.EMAIL_DOMAIN}")
    assert get(fresh_sandbox, "/api/v2/users", headers).status_code == 401


def test_scopes_are_enforced(fresh_sandbox):
    narrow = bearer(oauth_value(fresh_sandbox, 3002))  # users:read auditlogs:read
    assert get(fresh_sandbox, "/api/v2/users", narrow).status_code == 200
    assert get(fresh_sandbox, "/api/v2/audit_logs", narrow).status_code == 200
    denied = get(fresh_sandbox, "/api/v2/automations", narrow)
    assert denied.status_code == 403
    assert denied.json() == {
        "error": "Forbidden",
        "description": "You are missing the following required scopes: read",
    }
    with client(fresh_sandbox, narrow) as http:
        write = http.put(f"/api/v2/users/{S.END_USER_ID}", json={"user": {"notes": "x"}})
    assert write.json()["description"].endswith("scopes: write")
    write_only = bearer(oauth_value(fresh_sandbox, 3003))  # "write" alone cannot read
    assert get(fresh_sandbox, "/api/v2/users", write_only).json()["description"].endswith("scopes: read")
    unrestricted = bearer(oauth_value(fresh_sandbox, 3006))
    assert get(fresh_sandbox, "/api/v2/automations", unrestricted).status_code == 200


def test_agents_cannot_manage_credentials_or_write_rules(fresh_sandbox, api_token_writes):
    agent = token_auth(fresh_sandbox, S.AGENT_EMAIL)
    for path in ("/api/v2/api_tokens", "/api/v2/oauth/clients", "/api/v2/audit_logs"):
        response = get(fresh_sandbox, path, agent)
        assert (response.status_code, response.json()) == (403, NO_ACCESS), path
    with client(fresh_sandbox, agent) as http:
        assert http.get("/api/v2/automations/12345").status_code == 200
        assert http.get("/api/v2/oauth/tokens", params={"all": "true"}).status_code == 403
        assert (
            http.put("/api/v2/automations/12345", json={"automation": {"active": False}}).status_code == 403
        )
        assert http.post("/api/v2/api_tokens", json={"api_token": {"description": "x"}}).status_code == 403
    light = token_auth(fresh_sandbox, S.LIGHT_AGENT_EMAIL)
    assert get(fresh_sandbox, "/api/v2/oauth/clients", light).status_code == 403


def test_end_users_see_little(fresh_sandbox):
    end_user = token_auth(fresh_sandbox, S.END_USER_EMAIL)
    assert get(fresh_sandbox, "/api/v2/users", end_user).json() == NO_ACCESS
    assert get(fresh_sandbox, "/api/v2/automations", end_user).status_code == 403
    assert get(fresh_sandbox, f"/api/v2/users/{S.ADMIN_ID}", end_user).status_code == 403
    own = get(fresh_sandbox, f"/api/v2/users/{S.END_USER_ID}", end_user).json()["user"]
    assert own["email"] == S.END_USER_EMAIL and "notes" not in own


def test_unknown_route_is_404_before_credentials_are_checked(fresh_sandbox):
    response = get(fresh_sandbox, "/api/v2/no_such_thing.json", {})
    assert (response.status_code, response.json()) == (
        404,
        {"error": "InvalidEndpoint", "description": "Not found"},
    )
    missing = get(fresh_sandbox, "/api/v2/automations/999999", token_auth(fresh_sandbox))
    assert missing.json() == {"error": "RecordNotFound", "description": "Not found"}
