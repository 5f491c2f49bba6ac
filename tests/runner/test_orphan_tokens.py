"""A killed run's own client-credentials token does not outlive it: the recovery revokes it.

Attack review 2026-12-02 (E9): after SIGKILL of a `ZENDESK_AUTH=client_credentials` run and the recovery by
`zdlib records`, the run's admin token (read write, 1 h) still answered 200. The kernel never reached an end
that revokes it; the token is in the stage's secrets file, so the recovery revokes it with itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from zdlib import record
from zdlib.auth import RUN_TOKEN_LABEL
from zdlib.runner.publish import recover
from zdlib.runner.records import read_index


def mint(sandbox) -> str:
    body = {
        "grant_type": "client_credentials",
        "client_id": sandbox.env["ZENDESK_CLIENT_ID"],
        "client_secret": sandbox.env["ZENDESK_CLIENT_SECRET"],
        "scope": "read write",
    }
    answer = httpx.post(sandbox.url + "/oauth/tokens", json=body, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["access_token"]


def acts(sandbox, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(sandbox.url + "/api/v2/users/me", headers=headers, timeout=10).status_code


def test_recovery_revokes_the_killed_runs_own_token(fresh_sandbox, tmp_path):
    token = mint(fresh_sandbox)
    assert acts(fresh_sandbox, token) == 200
    stage = record.reserve(tmp_path, "delete_automation", 12351, datetime.now(UTC), mode="headless")
    with stage.secrets_file.open("a") as stream:
        stream.write(json.dumps({"label": f"{RUN_TOKEN_LABEL} admin", "value": token}) + "\n")
    checkpoint = {"runbook": "delete_automation", "instance": fresh_sandbox.url, "outcome": "interrupted"}
    stage.side_file("checkpoint.json").write_text(json.dumps(checkpoint))
    record.release(stage)  # as if its runner had been killed

    [published] = recover(tmp_path, [])

    assert acts(fresh_sandbox, token) == 401
    [entry] = read_index(tmp_path)
    assert entry["outcome"] == "interrupted"
    assert "token(s) revoked at recovery: 1" in entry["reason"], entry["reason"]
    assert token not in (tmp_path / "index.jsonl").read_text()
    assert published.outcome == "interrupted"
