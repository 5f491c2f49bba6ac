"""What every credential plan needs: our own records, the run's own credential, audit cross-checks, proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zdlib.config import configured_client_identifier
from zdlib.errors import AuthenticationError, BadRequest, ZendeskError
from zdlib.record.layout import read_index
from zdlib.record.outcome import ChangeStatus, Outcome
from zdlib.runbook.files import records_dir
from zdlib.runbook.issuing import whoami


# -- our own records: what this procedure already did -------------------------------------------------
def _entries(runbook: str) -> list[dict]:
    """The records index of this run's records folder (the runner's or the lab's, else the repo's)."""
    return read_index(records_dir(runbook))


def recorded_runs(instance: str, runbook: str, outcome: str, **parameters: Any) -> list[dict]:
    """Index entries of `runbook` on `instance` that ended `outcome` with these parameter values."""
    return [
        e
        for e in _entries(runbook)
        if e.get("instance") == instance
        and e.get("runbook") == runbook
        and e.get("outcome") == outcome
        and all((e.get("parameters") or {}).get(k) == v for k, v in parameters.items())
    ]


def recorded_changes(instance: str, runbooks: tuple[str, ...], obj: str, obj_id: Any) -> list[dict]:
    """Every recorded change of `obj` `obj_id` on `instance` by these runbooks, oldest first."""
    found = []
    for entry in _entries(runbooks[0]):
        if entry.get("instance") != instance or entry.get("runbook") not in runbooks:
            continue
        for change in entry.get("changes") or []:
            if change.get("object") == obj and str(change.get("id")) == str(obj_id):
                found.append(
                    {**change, "outcome": entry.get("outcome"), "finished_at": entry.get("finished_at")}
                )
    return found


def last_recorded(instance: str, runbooks: tuple[str, ...], obj: str, obj_id: Any, field: str) -> dict | None:
    """The newest recorded change of one field (e.g. a deletion this procedure verified or waited for)."""
    changes = [c for c in recorded_changes(instance, runbooks, obj, obj_id) if c.get("field") == field]
    return changes[-1] if changes else None


def recorded_done(change: dict | None) -> bool:
    return bool(change) and change.get("status") in (ChangeStatus.VERIFIED, ChangeStatus.APPLIED)


def recorded_waiting(change: dict | None) -> bool:
    return (
        bool(change)
        and change.get("status") == ChangeStatus.WAITING
        and change.get("outcome") == Outcome.WAITING
    )


# -- the run's own credential --------------------------------------------------------------------------
@dataclass(frozen=True)
class OwnCredential:
    """What this run authenticates with or is configured to use (never to be revoked by the run): its OAuth
    token and that token's client, every configured OAuth client (ZENDESK_CLIENT_ID, whatever the auth kind)
    and the API token(s) that show as the configured ZENDESK_API_TOKEN."""

    token_id: Any = None
    client_ids: frozenset = frozenset()
    api_token_ids: frozenset = frozenset()

    def explain(self, what: str) -> str:
        held = []
        if self.token_id is not None:
            held.append(f"OAuth token {self.token_id}")
        if self.client_ids:
            ids = ", ".join(map(str, sorted(self.client_ids)))
            held.append(f"OAuth client(s) {ids} (the token's client or the configured ZENDESK_CLIENT_ID)")
        if self.api_token_ids:
            ids = ", ".join(map(str, sorted(self.api_token_ids)))
            held.append(f"API token(s) {ids} (shown as the configured ZENDESK_API_TOKEN)")
        return (
            f"{what} is a credential this run itself uses or the operator has configured "
            f"({'; '.join(held) or 'none'}): revoking it would lock the operator out halfway through and "
            "leave the revocation incomplete. Nothing was changed. Run this runbook with another admin "
            "credential (ZENDESK_OAUTH_TOKEN, ZENDESK_CLIENT_ID/SECRET of another client, or another "
            "ZENDESK_API_TOKEN), then revoke this one."
        )


def own_credential(client: Any) -> OwnCredential:
    """From `/api/v2/oauth/tokens/current`, the configured ZENDESK_CLIENT_ID (zendesk-api.md 5.4) and the
    characters `GET /api/v2/api_tokens` shows of each API token (zendesk-api.md 5.5). No secret is shown."""
    token_id, client_ids, api_token_ids = None, set(), set()
    settings = getattr(client, "settings", None)
    try:
        current = client.oauth_tokens.current()
        token_id = current.get("id")
        if current.get("client_id") is not None:
            client_ids.add(current["client_id"])
    except ZendeskError:
        pass  # not an OAuth credential (an API token): it cannot be one of the OAuth objects revoked here
    identifiers = {getattr(settings, "client_id", None), configured_client_identifier()} - {None, ""}
    if identifiers:
        client_ids |= {c["id"] for c in client.oauth_clients.list() if c.get("identifier") in identifiers}
    secret = getattr(settings, "api_token", None)
    if secret:
        api_token_ids = {t["id"] for t in client.api_tokens.list(include_users=False) if shows(t, secret)}
    return OwnCredential(token_id, frozenset(client_ids), frozenset(api_token_ids))


def shows(listed: dict, secret: str) -> bool:
    """True if an API token as Zendesk lists it (its first characters, the rest masked) can be `secret`.

    Zendesk shows only a few characters of each token, so two tokens may share them: both count as the
    run's own (refusing one too many is safe; revoking the run's own token is not)."""
    shown = str(listed.get("token") or "")
    visible = str(listed.get("visible_token") or shown.rstrip("*"))
    if not visible or not secret.startswith(visible):
        return False
    if "*" in shown:
        return len(shown) == len(secret)
    return len(shown) <= len(visible) or shown == secret


# -- audit cross-check: an entry counts only if its source_id is the object's, within the run's window ----
def audit_crosscheck(
    run: Any, source_id: Any, action: str, source_types: tuple[str, ...] = ()
) -> dict | None:
    """The audit entry of `action` on object `source_id` since the run started; only warns when none.

    With `source_types` (API tokens: `zdlib.resources.audit_logs.API_TOKEN_SOURCE_TYPES`) the log is
    filtered by type and id, as the OAS's ListAuditLogs requires; without (OAuth objects, whose audit
    type Zendesk does not document) by action within the run's window, matching the id.
    """
    return run.audit_entry(source_types or None, source_id, action)


# -- proofs with the real secrets ------------------------------------------------------------------------
def mint_refused(client: Any, identifier: str, secret: str) -> bool:
    """True if the client-credentials grant with this secret is refused (`invalid_client`, RFC 6749 5.2)."""
    try:
        client.oauth_grants.client_credentials(identifier, secret, ["read"], expires_in=301)
    except (AuthenticationError, BadRequest) as error:
        return error.code in ("invalid_client", None) or error.status == 401
    return False


def token_rejected(client: Any, token: str, email: str | None = None) -> bool:
    """True if Zendesk no longer accepts this token (401 or an anonymous answer)."""
    return whoami(client, token, email=email) is None
