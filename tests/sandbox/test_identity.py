"""The sandbox proves it is the sandbox, and only the key's holder may drive its control API (issue 19;
security re-test 2026-12-04 M5, L7). Over real HTTP; the state is read back through the API."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import httpx

from tests.fault_proxy import FaultProxy
from tests.sandbox.support import client, control_key
from zdlib.instance import KEY_VARIABLE, is_sandbox
from zdlib.sandbox import identity
from zdlib.sandbox.clock import parse_instant
from zdlib.sandbox.server import SandboxServer


def test_the_identity_challenge_is_answered_with_the_key_never_with_the_key_itself(fresh_sandbox):
    key = fresh_sandbox.env[KEY_VARIABLE]
    answer = httpx.get(fresh_sandbox.url + "/sandbox/identity", params={"challenge": "n0nce"})
    assert answer.status_code == 200
    assert answer.json() == {"proof": hmac.new(key.encode(), b"n0nce", hashlib.sha256).hexdigest()}
    assert key not in answer.text
    assert identity.KEY_VARIABLE == KEY_VARIABLE  # one name on both sides of the HTTP line


def test_only_an_instance_holding_this_key_is_the_sandbox(fresh_sandbox):
    env = dict(fresh_sandbox.env)
    assert is_sandbox(fresh_sandbox.url, env) is True
    assert is_sandbox(fresh_sandbox.url, {**env, KEY_VARIABLE: "a-guessed-key"}) is False
    assert is_sandbox(fresh_sandbox.url, {k: v for k, v in env.items() if k != KEY_VARIABLE}) is False
    with SandboxServer(users=10) as other:  # another local server (a tunnel to elsewhere is loopback too)
        assert is_sandbox(other.url, env) is False
    assert is_sandbox("http://127.0.0.1:9", env) is False  # nothing listening


def test_a_tunnel_in_front_of_the_sandbox_still_proves_it_and_one_elsewhere_does_not(fresh_sandbox):
    with FaultProxy(fresh_sandbox.url) as tunnel:
        assert is_sandbox(tunnel.url, fresh_sandbox.env) is True
    with SandboxServer(users=10) as elsewhere, FaultProxy(elsewhere.url) as tunnel:
        assert is_sandbox(tunnel.url, fresh_sandbox.env) is False


def test_the_control_api_needs_the_key(fresh_sandbox):
    fresh_sandbox.control.set_clock(advance_days=3)
    moved = fresh_sandbox.control.now()
    control = [
        ("POST", "/sandbox/reset"),
        ("GET", "/sandbox/credentials"),
        ("POST", "/sandbox/faults"),
        ("POST", "/sandbox/gitlab/reset"),
        ("POST", "/sandbox/admin-center/api_tokens/3"),
        ("GET", "/sandbox/consumers"),
        ("POST", "/sandbox/consumers/zapier-sync"),
    ]
    for method, path in control:
        refused = httpx.request(method, fresh_sandbox.url + path, json={"action": "delete"})
        assert refused.status_code == 401, (method, path)
        assert KEY_VARIABLE in refused.json()["description"]
        wrong = httpx.request(method, fresh_sandbox.url + path, headers={"X-Sandbox-Key": "x" * 43}, json={})
        assert wrong.status_code == 401
    elapsed = parse_instant(fresh_sandbox.control.now()) - parse_instant(moved)
    assert timedelta(0) <= elapsed < timedelta(minutes=1)  # no reset: it would go back 3 days
    with client(fresh_sandbox) as http:
        assert 3 in {t["id"] for t in http.get("/api/v2/api_tokens").json()["api_tokens"]}  # not deleted


def test_a_cross_origin_browser_request_is_refused_even_with_the_key(fresh_sandbox):
    fresh_sandbox.control.set_clock(advance_days=3)
    moved = fresh_sandbox.control.now()
    page = {"Origin": "http://127.0.0.1:8888", "Content-Type": "text/plain", **control_key(fresh_sandbox)}
    reset = httpx.post(fresh_sandbox.url + "/sandbox/reset", headers=page, content="{}")
    assert reset.status_code == 403
    fetched = httpx.get(
        fresh_sandbox.url + "/sandbox/credentials",
        headers={"Sec-Fetch-Site": "cross-site", **control_key(fresh_sandbox)},
    )
    assert fetched.status_code == 403 and fresh_sandbox.env["ZENDESK_API_TOKEN"] not in fetched.text
    assert fresh_sandbox.control.now() == moved
    same = {"Origin": fresh_sandbox.url, **control_key(fresh_sandbox)}  # the sandbox's own origin is fine
    assert httpx.get(fresh_sandbox.url + "/sandbox/clock", headers=same).status_code == 200


def test_the_zendesk_api_and_gitlab_look_alike_need_no_key(fresh_sandbox):
    with client(fresh_sandbox) as http:
        assert http.get("/api/v2/users/me").status_code == 200
    gitlab = httpx.get(
        fresh_sandbox.env["GITLAB_URL"] + "/api/v4/user",
        headers={"PRIVATE-TOKEN": fresh_sandbox.env["GITLAB_TOKEN"]},
    )
    assert gitlab.status_code == 200
