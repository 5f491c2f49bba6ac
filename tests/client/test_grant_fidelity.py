"""zdlib's grant helper against Zendesk's documented and observed `POST /oauth/tokens` (issue 10 item 3).

Evidence: shared reference zendesk-2026-12-updates.md (UPD): §1.1 #5 (OAS says 201, zcli expects 200 for
code and refresh grants), §1.1 #8 (unknown scopes dropped silently), §1.1 #1 and #2 (lifetimes).
"""

from __future__ import annotations

import httpx
import pytest

from zdlib import Client
from zdlib.config import load_settings
from zdlib.resources.oauth_grants import dropped_scopes, granted_lifetime, granted_scopes

SECRET = "cs-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def client_answering(status: int, body: dict) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    settings = load_settings(
        environ={"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "oauth-Tok3n-abcdef123456"}
    )
    return Client(settings, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("status", [200, 201])
def test_both_200_and_201_are_success_for_every_grant(status):
    """UPD §1.1 #5: OAS CreateTokenForGrantType answers 201; zcli's oauth.ts expects 200."""
    answer = {"access_token": "at-" + "z" * 40, "token_type": "bearer", "scope": "read", "expires_in": 1800}
    with client_answering(status, answer) as zd:
        assert (
            zd.oauth_grants.client_credentials("ident", SECRET, "read")["access_token"]
            == answer["access_token"]
        )
        assert zd.oauth_grants.refresh("rt-" + "y" * 40, "ident", SECRET)["scope"] == "read"


def test_dropped_scopes_names_what_zendesk_left_out():
    """UPD §1.1 #8: "silently narrowed to whatever it did recognise": compare requested with granted."""
    grant = {"access_token": "at", "scope": "users:read read"}
    assert granted_scopes(grant) == ["users:read", "read"]
    assert dropped_scopes("users:read tickts:read read", grant) == ["tickts:read"]
    assert dropped_scopes(["users:read", "read"], grant) == []
    assert dropped_scopes("read", {"access_token": "at"}) == ["read"]


def test_granted_lifetime_is_what_zendesk_issued():
    """UPD §1.1 #1 (30 minutes for clients created after 2026-04-30) and #2 (no expires_in: no expiry)."""
    assert granted_lifetime({"expires_in": 1800}) == 1800
    assert granted_lifetime({"access_token": "at"}) is None


def test_the_grant_helper_against_the_sandbox(fresh_sandbox):
    """The same helpers on the sandbox's answer: a typo is dropped, not refused."""
    with Client(load_settings(environ=fresh_sandbox.env)) as zd:
        env = fresh_sandbox.env
        grant = zd.oauth_grants.client_credentials(
            env["ZENDESK_CLIENT_ID"], env["ZENDESK_CLIENT_SECRET"], "users:read usres:write", expires_in=600
        )
    assert dropped_scopes("users:read usres:write", grant) == ["usres:write"]
    assert granted_lifetime(grant) == 600 and "refresh_token" not in grant
