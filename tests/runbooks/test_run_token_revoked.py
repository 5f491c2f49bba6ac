"""The run's own client-credentials token is revoked at the end of every run, successful or not.

Counted through the sandbox's API: the live tokens of the configured OAuth client before and after.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.runbooks.support import APPLY, NOTEBOOKS, api
from zdlib.runner import run_runbook
from zdlib.sandbox import seed
from zdlib.sandbox.server import SandboxServer


def live_tokens(sandbox: SandboxServer) -> set[int]:
    """Ids of the tokens of the run's OAuth client that the sandbox still accepts (not expired)."""
    answer = api(
        sandbox,
        "GET",
        "/api/v2/oauth/tokens",
        params={"all": "true", "client_id": seed.ADMIN_OAUTH_CLIENT_ID},
    ).json()
    now = sandbox.control.now()
    return {t["id"] for t in answer["tokens"] if not t.get("expires_at") or t["expires_at"] > now}


def run_as_client(sandbox: SandboxServer, records, name: str, **parameters: Any):
    env = {**sandbox.env, "ZENDESK_AUTH": "client_credentials"}
    return run_runbook(NOTEBOOKS / f"{name}.ipynb", parameters, records_dir=records, instance_env=env)


@pytest.mark.parametrize(
    ("name", "parameters", "outcomes"),
    [
        ("api_request", {"method": "GET", "path": "/api/v2/automations/12345"}, {"no-op"}),
        ("deactivate_automation", {"automation_id": 12345}, {"planned"}),
        ("deactivate_automation", {"automation_id": 12345, "dry_run": False}, {"refused"}),  # no approval
        ("deactivate_automation", {"automation_id": 99999999, **APPLY}, {"failed", "refused"}),  # not found
        ("api_request", {"method": "GET", "path": "/api/v2/no_such_thing/1"}, {"failed"}),  # an exception
    ],
    ids=["read-only", "dry-run", "refused", "failed", "unexpected-error"],
)
def test_every_run_revokes_its_own_token(fresh_sandbox, tmp_path, name, parameters, outcomes) -> None:
    before = live_tokens(fresh_sandbox)
    result = run_as_client(fresh_sandbox, tmp_path, name, **parameters)
    assert result.outcome in outcomes, result.reason
    assert result.summary and result.summary["auth_kind"] == "client_credentials"
    assert live_tokens(fresh_sandbox) == before, "the run's client-credentials token is still live"
