"""What a killed run leaves alive: its own client-credentials tokens, revoked when its stage is recovered.

A run's kernel revokes the token it minted at every end it reaches (`Run.release_credential`); a SIGKILL or a
power loss reaches none. The token is in the stage's secrets file (labelled by `zdlib.auth.RUN_TOKEN_LABEL`),
so the recovery revokes it with itself (`DELETE /api/v2/oauth/tokens/{id}`, the token's own `current` id).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import zdlib
from zdlib.auth import RUN_TOKEN_LABEL
from zdlib.config import load_settings
from zdlib.errors import ZdlibError


def run_tokens(secrets_file: Path) -> list[str]:
    """The run's own client-credentials tokens recorded in a stage's secrets file."""
    tokens = []
    try:
        lines = secrets_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and str(item.get("label", "")).startswith(RUN_TOKEN_LABEL):
            tokens.append(str(item.get("value") or ""))
    return [token for token in dict.fromkeys(tokens) if token]


def revoke_run_tokens(secrets_file: Path, instance: str | None) -> tuple[int, int]:
    """(revoked, not revoked) for the tokens a killed run minted on `instance`."""
    tokens = run_tokens(secrets_file)
    if not tokens or not instance:
        return 0, len(tokens)
    revoked = 0
    for token in tokens:
        environ = {"ZENDESK_URL": instance, "ZENDESK_OAUTH_TOKEN": token, "ZENDESK_AUTH": "oauth"}
        if os.environ.get("ZENDESK_CA_BUNDLE"):
            environ["ZENDESK_CA_BUNDLE"] = os.environ["ZENDESK_CA_BUNDLE"]
        try:
            with zdlib.Client(load_settings(environ=environ)) as client:
                revoked += client.revoke_bearer(token)
        except ZdlibError:
            continue
    return revoked, len(tokens) - revoked
