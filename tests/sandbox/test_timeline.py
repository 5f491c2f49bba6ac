"""Zendesk's credential timeline on the sandbox clock."""

from __future__ import annotations

from tests.sandbox.support import basic, client, token_auth
from zdlib.sandbox import seed as S


def status(sb, path, headers):
    with client(sb, headers) as http:
        return http.get(path).status_code


def active_ids(sb) -> set[int]:
    with client(sb) as http:
        return {t["id"] for t in http.get("/api/v2/api_tokens").json()["api_tokens"] if t["active"]}


def test_password_access_only_before_2026(fresh_sandbox):
    password = basic(S.ADMIN_EMAIL, fresh_sandbox.env["ZENDESK_PASSWORD"])
    assert status(fresh_sandbox, "/api/v2/users", password) == 401
    fresh_sandbox.control.set_clock(as_of="2025-12-15")
    assert status(fresh_sandbox, "/api/v2/users", password) == 200
    assert status(fresh_sandbox, "/api/v2/users", basic(S.ADMIN_EMAIL, "not-it")) == 401


def test_idle_tokens_are_deactivated_lazily_from_2026_07_28(fresh_sandbox):
    assert active_ids(fresh_sandbox) == set(S.API_TOKEN_IDS_ACTIVE_AFTER_RULE)
    idle_token = S.api_token_value(fresh_sandbox.options.seed, S.API_TOKEN_IDS_IDLE_30_DAYS[0])
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=idle_token)) == 401
    fresh_sandbox.control.set_clock(as_of="2026-07-01")  # before the rule: only the admin's choice counts
    expected = {t.id for t in S.API_TOKENS} - set(S.API_TOKEN_IDS_DEACTIVATED_BY_ADMIN)
    assert active_ids(fresh_sandbox) == expected
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=idle_token)) == 200


def test_the_admin_token_dies_after_30_idle_days(fresh_sandbox):
    assert status(fresh_sandbox, "/api/v2/users/me", token_auth(fresh_sandbox)) == 200
    fresh_sandbox.control.set_clock(advance_days=29)
    assert status(fresh_sandbox, "/api/v2/users/me", token_auth(fresh_sandbox)) == 200  # used: clock restarts
    fresh_sandbox.control.set_clock(advance_days=31)
    assert status(fresh_sandbox, "/api/v2/users/me", token_auth(fresh_sandbox)) == 401


def test_reactivating_an_idle_token_makes_it_work_again(fresh_sandbox, api_token_writes):
    idle = S.API_TOKEN_IDS_IDLE_30_DAYS[0]
    with client(fresh_sandbox) as http:
        body = http.put(f"/api/v2/api_tokens/{idle}", json={"api_token": {"active": True}}).json()
    assert body["api_token"]["active"] is True
    value = S.api_token_value(fresh_sandbox.options.seed, idle)
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=value)) == 200


def test_token_creation_refused_from_2026_10_27(fresh_sandbox, api_token_writes):
    with client(fresh_sandbox) as http:
        refused = http.post("/api/v2/api_tokens", json={"api_token": {"description": "new"}})
        assert refused.status_code == 403
        message = refused.json()["description"]
        assert "2026-10-27" in message and "OAuth" in message and "2027-04-30" in message
        fresh_sandbox.control.set_clock(as_of="2026-10-26")
        created = http.post("/api/v2/api_tokens", json={"api_token": {"description": "new"}})
    assert created.status_code == 201
    new = created.json()["api_token"]
    assert len(new["token"]) == 40
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=new["token"])) == 200


def test_every_api_token_refused_from_2027_04_30(fresh_sandbox, api_token_writes):
    oauth = {"Authorization": f"Bearer {fresh_sandbox.env['ZENDESK_OAUTH_TOKEN']}"}
    kept = S.CONSUMERS[1]  # zapier-sync calls every 6 hours of sandbox time: its token never goes idle
    value = S.api_token_value(fresh_sandbox.options.seed, kept.api_token_id)
    fresh_sandbox.control.set_clock(as_of="2027-04-29T23:58:00Z")
    with client(fresh_sandbox, oauth) as http:
        listed = {t["id"]: t for t in http.get("/api/v2/api_tokens").json()["api_tokens"]}
        gone = http.get(f"/api/v2/api_tokens/{S.ADMIN_API_TOKEN_ID}")
    assert gone.status_code == 404  # idle since December: deactivated (30-day rule), deleted 60 days later
    assert listed[kept.api_token_id]["active"] is True
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=value)) == 200
    fresh_sandbox.control.set_clock(advance_days=1)
    assert status(fresh_sandbox, "/api/v2/users", token_auth(fresh_sandbox, token=value)) == 401
    with client(fresh_sandbox, oauth) as http:
        listed = http.get("/api/v2/api_tokens").json()["api_tokens"]
        again = http.put(f"/api/v2/api_tokens/{kept.api_token_id}", json={"api_token": {"active": True}})
    assert listed and not any(t["active"] for t in listed)
    assert again.status_code == 422
