"""The write runbooks of the matrix: parameters for an applied run, and how to read their effect."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.matrix.api import Api
from tests.runbooks.support import APPROVED

APPROVAL = dict(APPROVED)  # the sandbox GitLab's approved access request #4242
NEW_REQUEST_URL = APPROVED["access_request_url"]  # create_token names its client after the request
RESTORED_TITLE = "Matrix: restored automation"
EXAMPLE_SNAPSHOT = Path(__file__).resolve().parents[2] / "notebooks" / "examples" / "automation-snapshot.json"


@dataclass(frozen=True)
class Spec:
    """A write runbook: applied-run parameters, whether the change is in place, how many copies exist."""

    runbook: str
    params: dict[str, Any]
    done: Callable[[Api], bool]
    copies: Callable[[Api], int] = field(default=lambda api: 1)
    idempotent: bool = True  # every write is a PUT or DELETE (the client retries those)

    def apply_params(self, **extra: Any) -> dict[str, Any]:
        return {**APPROVAL, **self.params, "dry_run": False, **extra}


def _automation_active(api: Api, automation_id: int) -> bool:
    return bool(api.get(f"/api/v2/automations/{automation_id}")["automation"]["active"])


def _restored(api: Api) -> int:
    return sum(a["title"] == RESTORED_TITLE for a in api.listing("/api/v2/automations", "automations"))


def _request_clients(api: Api) -> list[dict[str, Any]]:
    return [
        c for c in api.listing("/api/v2/oauth/clients", "clients") if c.get("description") == NEW_REQUEST_URL
    ]


def _request_tokens(api: Api) -> int:
    ids = {c["id"] for c in _request_clients(api)}
    tokens = api.listing("/api/v2/oauth/tokens", "tokens", all="true")
    return sum(t.get("client_id") in ids for t in tokens)


def _api_token_active(api: Api, token_id: int) -> bool:
    tokens = api.get("/api/v2/api_tokens")["api_tokens"]
    return any(t["id"] == token_id and t["active"] for t in tokens)


def _oauth_token_exists(api: Api, token_id: int) -> bool:
    return any(t["id"] == token_id for t in api.listing("/api/v2/oauth/tokens", "tokens", all="true"))


def _integration_tokens(api: Api) -> int:
    return len(api.listing("/api/v2/oauth/tokens", "tokens", all="true", client_id=2002))


def write_snapshot(folder: Path) -> Path:
    """A snapshot of an automation that is not in the account (the example, retitled)."""
    saved = json.loads(EXAMPLE_SNAPSHOT.read_text())
    saved["title"] = RESTORED_TITLE
    path = folder / "matrix.snapshot-automation-12349.json"
    path.write_text(json.dumps(saved))
    return path


def specs(snapshot: Path) -> dict[str, Spec]:
    items = [
        Spec(
            "deactivate_automation", {"automation_id": 12350}, lambda api: not _automation_active(api, 12350)
        ),
        Spec(
            "delete_automation",
            {"automation_id": 12351},
            lambda api: api.status("/api/v2/automations/12351") == 404,
        ),
        Spec(
            "restore_automation",
            {"snapshot_path": str(snapshot), "unrecorded_snapshot": True},  # the example is in no record
            lambda api: _restored(api) == 1,
            copies=_restored,
            idempotent=False,
        ),
        Spec(
            "api_request",
            {
                "method": "PUT",
                "path": "/api/v2/automations/12352",
                "body": '{"automation": {"active": false}}',
            },
            lambda api: not _automation_active(api, 12352),
        ),
        Spec(
            "create_token",
            {"access_request_url": NEW_REQUEST_URL, "requester_email": "alan.agent@sandbox.zdlib.test"},
            lambda api: len(_request_clients(api)) == 1 and _request_tokens(api) == 1,
            copies=lambda api: max(len(_request_clients(api)), _request_tokens(api)),
            idempotent=False,
        ),
        # An API token's revocation is done by a person in Admin Center (the run ends `waiting`, see
        # tests/runbooks/test_credential_runbooks.py); under faults the matrix revokes an OAuth token.
        Spec(
            "revoke_token",
            {"kind": "oauth", "token_id": 3002},
            lambda api: not _oauth_token_exists(api, 3002),
        ),
        Spec("revoke_integration", {"client_id": 2002}, lambda api: _integration_tokens(api) == 0),
    ]
    return {spec.runbook: spec for spec in items}
