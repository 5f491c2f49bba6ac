"""The handbook's own curl examples, run with the real `curl` binary against the sandbox."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest

from zdlib.sandbox import seed as S

CURL = shutil.which("curl")
if CURL is None:  # pragma: no cover - curl is part of the development environment
    raise RuntimeError("these tests need the curl binary")


def curl(*args: str) -> tuple[int, str]:
    done = subprocess.run(
        [CURL, "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=20, check=True
    )
    body, _, code = done.stdout.rpartition("\n")
    return int(code), body


def encoded(pair: str) -> str:
    """What `echo -n 'pair' | base64` prints (the handbook's `echo` without -n adds a newline)."""
    return base64.b64encode(pair.encode()).decode()


def auth_forms(sb, kind: str) -> dict[str, list[str]]:
    env = sb.env
    pair = (
        f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}"
        if kind == "token"
        else f"{env['ZENDESK_EMAIL']}:{env['ZENDESK_PASSWORD']}"
    )
    return {"raw": ["-u", pair], "header": ["-H", f"Authorization: Basic {encoded(pair)}"]}


@pytest.mark.parametrize("form", ["raw", "header"])
def test_get_deactivate_and_delete_automation_12345(fresh_sandbox, form):
    auth = auth_forms(fresh_sandbox, "token")[form]
    url = f"{fresh_sandbox.url}/api/v2/automations/12345"
    code, body = curl(url, *auth)
    assert code == 200 and json.loads(body)["automation"]["active"] is True
    code, body = curl(
        url,
        *auth,
        "-H",
        "Content-Type: application/json",
        "-X",
        "PUT",
        "-d",
        '{"automation": {"active": false}}',
    )
    assert code == 200 and json.loads(body)["automation"]["active"] is False
    code, body = curl(url, *auth, "-H", "Content-Type: application/json", "-X", "DELETE")
    assert (code, body) == (204, "")
    assert curl(url, *auth)[0] == 404


@pytest.mark.parametrize("form", ["raw", "header"])
def test_password_examples_work_only_before_2026(fresh_sandbox, form):
    auth = auth_forms(fresh_sandbox, "password")[form]
    url = f"{fresh_sandbox.url}/api/v2/users.json"
    code, body = curl(url, *auth)
    assert (code, json.loads(body)) == (401, {"error": "Couldn't authenticate you"})
    fresh_sandbox.control.set_clock(as_of="2025-12-23")  # the handbook's "last updated" date
    code, body = curl(url, *auth)
    assert code == 200 and len(json.loads(body)["users"]) == 100


def test_oauth_bearer_example(fresh_sandbox):
    code, body = curl(
        f"{fresh_sandbox.url}/api/v2/users.json",
        "-H",
        f"Authorization: Bearer {fresh_sandbox.env['ZENDESK_OAUTH_TOKEN']}",
    )
    assert code == 200 and json.loads(body)["users"][0]["id"] == S.ADMIN_ID


def test_handbook_echo_pipe_base64_is_refused(fresh_sandbox):
    env = fresh_sandbox.env
    piped = subprocess.run(
        ["base64", "-w0"],
        input=f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    code, _ = curl(f"{fresh_sandbox.url}/api/v2/users.json", "-H", f"Authorization: Basic {piped}")
    assert code == 401
