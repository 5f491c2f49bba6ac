"""The grant-type endpoint `POST /oauth/tokens` as Zendesk documents it (issue 10 item 3).

Evidence: the shared reference `zendesk-2026-12-updates.md` (cited as UPD §n), which quotes Zendesk's
OpenAPI document `ticketing-2026-05.yaml` (CreateTokenForGrantType) and Zendesk's announcements.
"""

from __future__ import annotations

import pytest

from tests.sandbox.support import bearer, client
from zdlib.sandbox import seed as S


def grant(api, identifier: str, secret: str, **extra):
    body = {"grant_type": "client_credentials", "client_id": identifier, "client_secret": secret}
    return api.post("/oauth/tokens", json={"scope": "read", **body, **extra})


def new_client(api) -> tuple[str, str]:
    """A client created today (2026-11-28 on the test clock), i.e. after 2026-04-30."""
    made = api.post("/api/v2/oauth/clients", json={"client": {"name": "New", "identifier": "new_client"}})
    assert made.status_code == 201
    return "new_client", made.json()["client"]["secret"]


def seeded_client(sb) -> tuple[str, str]:
    """The seeded Support Ops client, created in 2025, before the default lifetime was enforced."""
    return sb.env["ZENDESK_CLIENT_ID"], sb.env["ZENDESK_CLIENT_SECRET"]


def test_client_credentials_issue_no_refresh_token(fresh_sandbox, api):
    """RFC 6749 §4.4.3 ("A refresh token SHOULD NOT be included"); UPD §1.1 #4: zcli's
    ClientCredentialsTokenResponse is {access_token, expires_in, token_type, scope}."""
    issued = grant(api, *new_client(api), expires_in=3600)
    assert issued.status_code == 201
    assert set(issued.json()) == {"access_token", "token_type", "scope", "expires_in"}


def test_new_clients_get_the_default_30_minute_lifetime(fresh_sandbox, api):
    """UPD §1.1 #1, announcement 9182123625370: "OAuth clients created after April 30, 2026,
    automatically have the default time-to-live (TTL) enforced"; the default is 30 minutes (UPD §1.1 #7)."""
    issued = grant(api, *new_client(api)).json()
    assert issued["expires_in"] == 1800
    token = api.get("/api/v2/oauth/tokens/current", headers=bearer(issued["access_token"])).json()["token"]
    assert token["expires_at"] == "2026-11-28T12:30:00Z"


def test_older_clients_without_expires_in_get_a_token_that_never_expires(fresh_sandbox, api):
    """UPD §1.1 #2 (the announcement's Japanese text, and the OAS: `expires_in` "Defaults to null")."""
    issued = grant(api, *seeded_client(fresh_sandbox)).json()
    assert "expires_in" not in issued and "refresh_token" not in issued
    token = api.get("/api/v2/oauth/tokens/current", headers=bearer(issued["access_token"])).json()["token"]
    assert token["expires_at"] is None


@pytest.mark.parametrize(
    ("value", "accepted"), [(300, False), (301, True), (172_799, True), (172_800, False)]
)
def test_expires_in_bounds_are_exclusive(fresh_sandbox, api, value, accepted):
    """UPD §1.1 #10, OAS CreateTokenForGrantType: "more than 300 seconds ... and less than 172,800"."""
    answer = grant(api, *seeded_client(fresh_sandbox), expires_in=value)
    assert (answer.status_code == 201) is accepted
    if not accepted:
        assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("value", "accepted"), [(604_800, False), (604_801, True), (7_775_999, True), (7_776_000, False)]
)
def test_refresh_token_expires_in_bounds_are_exclusive(fresh_sandbox, api, value, accepted):
    """UPD §1.1 #10, OAS: "more than 604,800 seconds (7 days) ... and less than 7,776,000 seconds"."""
    identifier, secret = seeded_client(fresh_sandbox)
    answer = api.post(
        "/oauth/tokens",
        json={
            "grant_type": "refresh_token",
            "refresh_token": S.oauth_refresh_value(fresh_sandbox.options.seed, S.REFRESHABLE_TOKEN_ID),
            "client_id": identifier,
            "client_secret": secret,
            "refresh_token_expires_in": value,
        },
    )
    assert (answer.status_code == 201) is accepted
    if accepted:
        assert answer.json()["refresh_token_expires_in"] == value


def test_invalid_grant_carries_zendesks_documented_description(fresh_sandbox, api):
    """UPD §1.2, help-centre article 4408831387930: Zendesk's exact `error_description`."""
    identifier, secret = seeded_client(fresh_sandbox)
    answer = api.post(
        "/oauth/tokens",
        json={"grant_type": "refresh_token", "refresh_token": "x" * 64, "client_id": identifier,
              "client_secret": secret},
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "The provided access grant is invalid, expired, or revoked (e.g. invalid "
        "assertion, expired authorization token, bad end-user password credentials, or mismatching "
        "authorization code and redirection URI).",
    }


@pytest.mark.parametrize("grant_type", ["password", "implicit", "authorization_code_legacy"])
def test_password_and_implicit_grants_are_gone(fresh_sandbox, api, grant_type):
    """UPD §1.1 #11, article 8302546989466: "Zendesk will stop accepting implicit and password grants"."""
    answer = grant(api, *seeded_client(fresh_sandbox), grant_type=grant_type, username="a", password="b")
    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")


def test_unknown_scopes_are_dropped_not_refused(fresh_sandbox, api):
    """UPD §1.1 #8 (csa-zendesk: "silently narrowed to whatever it did recognise"); OAS
    CreateTokenForGrantType: "The endpoint can return an access token even if you specify an invalid
    scope"."""
    issued = grant(api, *seeded_client(fresh_sandbox), scope="users:read tickts:read usres:write read")
    assert issued.status_code == 201 and issued.json()["scope"] == "users:read read"
    nothing = grant(api, *seeded_client(fresh_sandbox), scope="tickts:read").json()
    assert nothing["scope"] == ""
    with client(fresh_sandbox, bearer(nothing["access_token"])) as http:
        assert http.get("/api/v2/users").status_code == 403


def test_the_grant_answers_201_as_the_document_says(fresh_sandbox, api):
    """UPD §1.1 #5: the OAS says 201 (zcli expects 200; zdlib accepts both, tests/client)."""
    assert grant(api, *seeded_client(fresh_sandbox), expires_in=600).status_code == 201


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": -21551, "identifier": "typed"}, "name"),
        ({"name": "Typed", "identifier": 7}, "identifier"),
        ({"name": "Typed", "identifier": "typed", "redirect_uri": "https://x"}, "redirect_uri"),
        ({"name": "Typed", "identifier": "typed", "user_id": "10001"}, "user_id"),
        ({"name": "Typed", "identifier": "typed", "user_id": -1097409679152355606528}, "user_id"),
    ],
)
def test_oauth_client_fields_are_type_checked(fresh_sandbox, api, fields, bad):
    """fidelity.md §2.2 (D8: `{"client":{"name":-21551,...}}` was stored); OAS OAuthClientObject types
    `name`, `identifier` as strings, `redirect_uri` as an array of strings, `user_id` as an integer.
    Refused with Zendesk's RecordInvalid envelope (zendesk-api.md §1.2)."""
    answer = api.post("/api/v2/oauth/clients", json={"client": fields})
    assert answer.status_code == 422
    assert answer.json()["error"] == "RecordInvalid" and bad in answer.json()["details"]
    assert all(c["identifier"] != "typed" for c in api.get("/api/v2/oauth/clients").json()["clients"])
