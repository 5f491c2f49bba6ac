"""The seed is deterministic, documented in zdlib.sandbox.seed, and true to its description."""

from __future__ import annotations

import httpx

from tests.sandbox.support import client, control_key
from zdlib.sandbox import seed as S
from zdlib.sandbox.server import SandboxServer


def test_secrets_are_deterministic_per_seed_and_random_looking():
    one, again, other = S.describe(1), S.describe(1), S.describe(2)
    assert one.secrets == again.secrets
    assert all(one.secrets[k] != other.secrets[k] for k in one.secrets)
    assert len(set(one.secrets["api_token"])) > 15


def test_credentials_endpoint_and_env_agree(fresh_sandbox):
    shown = httpx.get(fresh_sandbox.url + "/sandbox/credentials", headers=control_key(fresh_sandbox))
    assert shown.json() == fresh_sandbox.env
    refused = httpx.get(fresh_sandbox.url + "/sandbox/credentials")  # any local process, without the key
    assert refused.status_code == 401 and fresh_sandbox.env["ZENDESK_API_TOKEN"] not in refused.text
    assert fresh_sandbox.env["ZENDESK_CLIENT_ID"] == S.ADMIN_OAUTH_CLIENT_IDENTIFIER


def test_credential_flags_find_exactly_the_seeded_ones(fresh_sandbox):
    with client(fresh_sandbox) as http:
        tokens = http.get("/api/v2/api_tokens").json()["api_tokens"]
        oauth = http.get("/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
        clients = http.get("/api/v2/oauth/clients").json()["clients"]
    no_request = {t["id"] for t in tokens if "access-requests/-/issues/" not in t["description"]}
    assert no_request == set(S.API_TOKEN_IDS_WITHOUT_ACCESS_REQUEST)
    broad = {t["id"] for t in oauth if {"write", "unrestricted"} & set(t["scopes"])}
    assert broad == set(S.OAUTH_TOKEN_IDS_BROAD_SCOPES)
    assert {t["id"] for t in oauth if t["expires_at"] is None} == set(S.OAUTH_TOKEN_IDS_NEVER_EXPIRING)
    with_tokens = {t["client_id"] for t in oauth}
    assert {c["id"] for c in clients} - with_tokens == set(S.OAUTH_CLIENT_IDS_WITHOUT_TOKENS)


def test_seeded_people_and_rules(fresh_sandbox):
    with client(fresh_sandbox) as http:
        light = http.get(f"/api/v2/users/{S.LIGHT_AGENT_ID}").json()["user"]
        automation = http.get("/api/v2/automations/12345").json()["automation"]
        inactive = [
            a["id"] for a in http.get("/api/v2/automations", params={"active": "false"}).json()["automations"]
        ]
        audit = http.get("/api/v2/audit_logs").json()["audit_logs"]
    assert (light["role"], light["role_type"]) == ("agent", 1)
    assert automation["title"] == "Close ticket 4 days after status is set to solved" and automation["active"]
    assert inactive == list(S.INACTIVE_AUTOMATION_IDS)
    assert len(audit) == S.SEEDED_AUDIT_LOG_COUNT


def test_other_seeds_change_names_and_secrets_not_structure(fresh_sandbox):
    with SandboxServer(seed=2, users=100) as other, client(other) as http:
        users = http.get("/api/v2/users", params={"page[size]": 100}).json()["users"]
        assert other.env["ZENDESK_API_TOKEN"] != fresh_sandbox.env["ZENDESK_API_TOKEN"]
    with client(fresh_sandbox) as http:
        seed_one = http.get("/api/v2/users", params={"page[size]": 100}).json()["users"]
    assert [u["id"] for u in users] == [u["id"] for u in seed_one]
    assert [u["role"] for u in users] == [u["role"] for u in seed_one]
    assert users[0]["email"] == seed_one[0]["email"] == S.ADMIN_EMAIL
    generated = slice(S.MIN_USERS, None)
    assert [u["name"] for u in users[generated]] != [u["name"] for u in seed_one[generated]]
