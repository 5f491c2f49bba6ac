"""Every write runbook under every fault: the final state is right, nothing is created twice, and the
record's outcome is true (a change that did not happen is never reported as applied)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract import DONE
from tests.matrix.api import Api
from tests.matrix.harness import when_seen
from tests.matrix.specs import Spec
from tests.runbooks.support import run_on
from zdlib.runner.run import RunResult
from zdlib.sandbox.server import SandboxServer

RUNBOOKS = [
    "deactivate_automation",
    "delete_automation",
    "restore_automation",
    "api_request",
    "create_token",
    "revoke_token",
    "revoke_integration",
]
TRANSPORT_FAULTS: dict[str, dict[str, Any]] = {
    "latency": {"latency_ms": 250},
    "5xx with Retry-After": {"fail_rate": 0.15, "fail_statuses": [503], "fail_retry_after": 1},
    "5xx without Retry-After": {
        "fail_rate": 0.15,
        "fail_statuses": [500, 502, 503],
        "fail_retry_after": None,
    },
    "429 storm": {"burst_429": 4, "burst_retry_after": 1},
    "dropped connection": {"drop_rate": 0.15},
}
NO_FAULTS = {"latency_ms": 0, "fail_rate": 0, "burst_429": 0, "drop_rate": 0, "drop_next": 0}
IDENTIFY = "GET /api/v2/users/me"
CUT_OFF_PASSED = "2027-05-01"  # every API token is refused from 2027-04-30
TEST_DAY = "2026-11-28"


def assert_truthful(result: RunResult, spec: Spec, api: Api) -> bool:
    """The record exists and its outcome matches the state the API shows; returns whether it is done."""
    done = spec.done(api)
    assert result.ipynb is not None and result.ipynb.is_file(), f"no record: {result.reason}"
    assert result.outcome != "applied" or done, f"reported applied, but the change is not in place: {result}"
    if not done:
        assert result.outcome in ("failed", "refused"), f"{result.outcome} while nothing changed"
        assert result.reason, "a run that did not complete must say why"
    assert spec.copies(api) <= 1, "created twice"
    return done


def complete_with_rerun(box: SandboxServer, records: Path, spec: Spec, api: Api, **env: str) -> None:
    """With the fault gone, re-running finishes the job; the state is right and nothing is doubled."""
    box.control.set_faults(**NO_FAULTS)
    rerun = run_on(box, records, spec.runbook, spec.apply_params(), **env)
    assert rerun.outcome in DONE, rerun.reason
    assert spec.done(api), "re-run did not complete the change"
    assert spec.copies(api) == 1, "created twice"


@pytest.mark.parametrize("fault", TRANSPORT_FAULTS)
@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_transport_fault(box, api, records, matrix_specs, runbook: str, fault: str) -> None:
    spec = matrix_specs[runbook]
    box.control.set_faults(**TRANSPORT_FAULTS[fault])
    result = run_on(box, records, runbook, spec.apply_params())
    box.control.set_faults(**NO_FAULTS)
    done = assert_truthful(result, spec, api)
    if spec.idempotent:
        # every write is a PUT or DELETE, which the client retries: the first run must get through
        assert result.outcome == "applied", result.reason
    if not done:
        complete_with_rerun(box, records, spec, api)
    assert spec.copies(api) == 1


def _admin_oauth_token_id(box: SandboxServer) -> int:
    headers = {"Authorization": f"Bearer {box.env['ZENDESK_OAUTH_TOKEN']}"}
    response = httpx.get(box.url + "/api/v2/oauth/tokens/current", headers=headers, timeout=10)
    response.raise_for_status()
    return int(response.json()["token"]["id"])


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_credential_revoked_mid_run(box, api, records, matrix_specs, runbook: str) -> None:
    """The run's OAuth token is revoked right after the run identified its operator."""
    spec = matrix_specs[runbook]
    token_id = _admin_oauth_token_id(box)
    box.control.set_faults(latency_ms=150)  # orders the revocation between identify and the next call

    def revoke() -> None:
        api.call("DELETE", f"/api/v2/oauth/tokens/{token_id}").raise_for_status()

    with when_seen(box, IDENTIFY, revoke) as fired:
        result = run_on(box, records, runbook, spec.apply_params(), ZENDESK_AUTH="oauth")
    assert fired.is_set()
    box.control.set_faults(**NO_FAULTS)
    assert not assert_truthful(result, spec, api), "a revoked credential still changed something"
    assert box.env["ZENDESK_OAUTH_TOKEN"] not in result.reason
    complete_with_rerun(box, records, spec, api, ZENDESK_AUTH="token")


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_clock_past_api_token_cut_off_mid_run(box, api, records, matrix_specs, runbook: str) -> None:
    """The sandbox clock passes 2027-04-30 (API tokens refused) after the run identified its operator."""
    spec = matrix_specs[runbook]
    box.control.set_faults(latency_ms=150)
    with when_seen(
        box, IDENTIFY, lambda: box.control.set_clock(as_of=CUT_OFF_PASSED), then_next=True
    ) as fired:
        result = run_on(box, records, runbook, spec.apply_params(), ZENDESK_AUTH="token")
    assert fired.is_set()
    box.control.set_faults(**NO_FAULTS)
    box.control.set_clock(as_of=TEST_DAY)
    assert not assert_truthful(result, spec, api), "a refused API token still changed something"
    complete_with_rerun(box, records, spec, api, ZENDESK_AUTH="token")
