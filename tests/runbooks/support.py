"""Running real notebooks through the runner against the test session's sandbox."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx

from zdlib.runner import run_runbook
from zdlib.runner.run import RunResult
from zdlib.sandbox.server import SandboxServer

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# The sandbox GitLab's approved access request (zdlib/sandbox/gitlab/seed.py): #4242, filed by alan.agent,
# label `AR-Approval::Manager Approved` added by maria.manager; the reviewer defaults to the operator.
REQUEST_URL = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242"
APPROVED = {"access_request_url": REQUEST_URL, "approved_by": "maria.manager"}
APPLY = {"dry_run": False, **APPROVED}


def run(sandbox: SandboxServer, records: Path, name: str, **parameters: Any) -> RunResult:
    """Execute `notebooks/<name>.ipynb` with the runner, as the seeded admin (OAuth), into `records`."""
    return run_on(sandbox, records, name, parameters, ZENDESK_AUTH="oauth")


def run_on(
    sandbox: SandboxServer, records: Path, name: str, parameters: dict[str, Any], **env: str
) -> RunResult:
    """`zdlib run` in-process (its Python entry point) of `notebooks/<name>.ipynb` into `records`, with the
    sandbox's admin as the instance: its settings, `env` overriding them (no ZENDESK_AUTH: the kit's own
    choice of credential)."""
    return run_runbook(
        NOTEBOOKS / f"{name}.ipynb", parameters, records_dir=records, instance_env={**sandbox.env, **env}
    )


def admin_env(sandbox: SandboxServer) -> dict[str, str]:
    return {**sandbox.env, "ZENDESK_AUTH": "oauth"}


def api(sandbox: SandboxServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A direct call as the seeded admin, outside the client under test."""
    headers = {"Authorization": f"Bearer {sandbox.env['ZENDESK_OAUTH_TOKEN']}"}
    return httpx.request(method, sandbox.url + path, headers=headers, timeout=10, **kwargs)


def audit_log(sandbox: SandboxServer) -> list[dict]:
    """Every audit log entry (the sandbox adds one per write)."""
    entries, page = [], 1
    while True:
        body = api(sandbox, "GET", "/api/v2/audit_logs", params={"page": page, "per_page": 100}).json()
        entries += body["audit_logs"]
        if not body.get("next_page"):
            return entries
        page += 1


def writes_seen(sandbox: SandboxServer) -> int:
    """How many non-GET API requests the sandbox has served since its counters were reset."""
    families = sandbox.control.stats().get("by_family", {})
    return sum(n for family, n in families.items() if not family.startswith(("GET", "HEAD")))


def record_texts(records: Path) -> list[str]:
    """Every file the runs left in the records folder, as text."""
    return [p.read_text(errors="replace") for p in records.rglob("*") if p.is_file()]


def assert_no_secret(records: Path, secret: str) -> None:
    """Neither the value nor its base64 form appears in any record file."""
    encoded = base64.b64encode(secret.encode()).decode()[: len(secret) // 3 * 4]
    for text in record_texts(records):
        assert secret not in text
        assert encoded not in text
