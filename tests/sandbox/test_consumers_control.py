"""The consumers' control endpoint refuses bad input clearly and changes nothing (issue 23 part 4)."""

from __future__ import annotations

import httpx
import pytest

from zdlib.sandbox import seed as S
from zdlib.sandbox.identity import KEY_HEADER, KEY_VARIABLE


def post(sb, name: str, body: dict) -> httpx.Response:
    return httpx.post(
        f"{sb.url}/sandbox/consumers/{name}", json=body, headers={KEY_HEADER: sb.env[KEY_VARIABLE]}
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "stop-it"}, "action must be switch or retire"),
        ({"action": "switch"}, "switch needs oauth_token_id or client_id"),
        ({"action": "switch", "oauth_token_id": 999}, "no OAuth token 999"),
        ({"action": "switch", "client_id": S.OAUTH_CLIENT_IDS_WITHOUT_TOKENS[0]}, "has no live token"),
    ],
)
def test_bad_switches_are_refused_and_change_nothing(fresh_sandbox, body, message):
    name = S.CONSUMERS[0].name
    refused = post(fresh_sandbox, name, body)
    assert refused.status_code == 400 and message in refused.json()["description"]
    listed = httpx.get(
        f"{fresh_sandbox.url}/sandbox/consumers", headers={KEY_HEADER: fresh_sandbox.env[KEY_VARIABLE]}
    )
    assert {c["name"]: c["mode"] for c in listed.json()["consumers"]}[name] == "api_token"


def test_an_unknown_consumer_is_404(fresh_sandbox):
    assert post(fresh_sandbox, "nobody", {"action": "retire"}).status_code == 404


def test_switch_by_client_takes_its_newest_live_token_and_retire_stops(fresh_sandbox):
    name = S.CONSUMERS[0].name
    switched = fresh_sandbox.control.consumer(name, "switch", client_id=2002)
    assert (switched["mode"], switched["oauth_token_id"]) == ("oauth", 3006)
    assert fresh_sandbox.control.consumer(name, "retire")["mode"] == "retired"
