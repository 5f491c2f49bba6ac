"""The account's state: seeded records, changes, and the audit trail every write leaves.

All access happens on the server's event-loop thread, so no locking is needed.
Records are kept as plain dicts; secrets live beside them under keys starting with `_`.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from zdlib.sandbox import seed as S
from zdlib.sandbox.clock import (
    TOKEN_AUTO_DEACTIVATION_FROM,
    TOKEN_IDLE_LIMIT,
    TOKEN_PURGE_AFTER,
    TOKENS_RETIRED,
    Clock,
    iso,
)
from zdlib.sandbox.consumers import seeded as consumers_seeded
from zdlib.sandbox.derived import derive
from zdlib.sandbox.users import UserDirectory

SYSTEM_ACTOR_ID = -1  # Zendesk itself (e.g. the 30-day API token rule)


class Store:
    """Everything the account holds. Build a fresh one to reset."""

    def __init__(self, seed: int, users: int, automations: int, clock: Clock) -> None:
        self.seed = seed
        self.clock = clock
        self.anchor = clock.now().replace(microsecond=0)
        self.users = UserDirectory(seed, users, self.anchor)
        self.automations: dict[int, dict] = {}
        self.api_tokens: dict[int, dict] = {}
        self.oauth_clients: dict[int, dict] = {}
        self.oauth_tokens: dict[int, dict] = {}
        self.audit_logs: dict[int, dict] = {}
        self._ids = itertools.count(100_000)
        self._audit_ids = itertools.count(5001)
        self._seed_automations(automations)
        self._seed_api_tokens()
        self._seed_oauth()
        self._seed_audit_logs()
        self.consumers = consumers_seeded(self.anchor)

    # ---- ids, secrets, audit --------------------------------------------------------------------
    def next_id(self) -> int:
        return next(self._ids)

    def new_secret(self, label: str, length: int) -> str:
        return derive(self.seed, f"{label}:{self.next_id()}", length)

    def audit(
        self,
        actor_id: int,
        action: str,
        source_type: str,
        source_id: int,
        label: str,
        change: str,
        ip: str | None = "127.0.0.1",
    ) -> dict:
        """Record one audit log entry (every write through the sandbox calls this)."""
        actor = self.users.get(actor_id) if actor_id > 0 else None
        entry = {
            "id": next(self._audit_ids),
            "action": action,
            "action_label": {"create": "Created", "update": "Updated", "destroy": "Deleted"}.get(
                action, action.title()
            ),
            "actor_id": actor_id,
            "actor_name": actor["name"] if actor else "Zendesk",
            "source_id": source_id,
            "source_type": source_type,
            "source_label": label,
            "change_description": change,
            "ip_address": ip,
            "created_at": iso(self.clock.now()),
        }
        self.audit_logs[entry["id"]] = entry
        return entry

    # ---- API token rules --------------------------------------------------------------------------
    def api_token_deactivated_at(self, token: dict, now: datetime | None = None) -> datetime | None:
        """When the token stopped working, judged lazily on the clock: an admin's deactivation, Zendesk's
        30-day idle rule (from 2026-07-28) or the 2027-04-30 retirement; None while it works.
        Zendesk's timeline: shared/reference/zendesk-2026-12-updates.md section 2, row 1 (DOC [ZD-MIG])."""
        now = now or self.clock.now()
        if not token["active"]:
            return token.get("_deactivated") or token["_updated"]
        idle_since = max(filter(None, (token["_last_used"], token["_created"], token["_reactivated"])))
        idle_at = max(idle_since + TOKEN_IDLE_LIMIT, TOKEN_AUTO_DEACTIVATION_FROM)
        stopped = min(idle_at, TOKENS_RETIRED)
        return stopped if now >= stopped else None

    def api_token_active(self, token: dict, now: datetime | None = None) -> bool:
        """Active as set by an admin, not caught by the 30-day idle rule (judged lazily), not retired."""
        return self.api_token_deactivated_at(token, now) is None

    def api_token_purged(self, token: dict, now: datetime | None = None) -> bool:
        """Zendesk deletes a deactivated token 60 days after its deactivation (same source as above)."""
        now = now or self.clock.now()
        stopped = self.api_token_deactivated_at(token, now)
        return stopped is not None and now >= stopped + TOKEN_PURGE_AFTER

    def find_api_token(self, value: str) -> dict | None:
        for token in self.api_tokens.values():
            if token["_value"] == value:
                return token
        return None

    # ---- seeding ------------------------------------------------------------------------------------
    def _seed_automations(self, count: int) -> None:
        for position, seeded in enumerate(S.FIXED_AUTOMATIONS, start=1):
            self.automations[seeded.id] = self._automation(
                seeded.id,
                seeded.title,
                seeded.active,
                seeded.default,
                position,
                seeded.hours,
                seeded.status,
                seeded.action,
            )
        for n in range(max(0, count - len(S.FIXED_AUTOMATIONS))):
            auto_id = S.GENERATED_AUTOMATION_ID_BASE + n + 1
            self.automations[auto_id] = self._automation(
                auto_id,
                f"Generated automation {n + 1:04d}",
                n % 3 != 2,
                False,
                len(S.FIXED_AUTOMATIONS) + n + 1,
                24 + n % 240,
                ("pending", "solved", "hold")[n % 3],
                ("current_tags", f"generated_{n + 1}"),
            )

    def _automation(
        self,
        auto_id: int,
        title: str,
        active: bool,
        default: bool,
        position: int,
        hours: int,
        status: str,
        action: tuple[str, str],
    ) -> dict:
        stamp = iso(self.anchor - timedelta(days=200 - position % 100))
        return {
            "id": auto_id,
            "title": title,
            "raw_title": title,
            "active": active,
            "default": default,
            "position": position,
            "conditions": {
                "all": [
                    {"field": "status", "operator": "is", "value": status},
                    {
                        "field": "SOLVED"
                        if status == "solved"
                        else "PENDING"
                        if status == "pending"
                        else "HOLD",
                        "operator": "greater_than",
                        "value": str(hours),
                    },
                ],
                "any": [],
            },
            "actions": [{"field": action[0], "value": action[1]}],
            "created_at": stamp,
            "updated_at": stamp,
        }

    def _seed_api_tokens(self) -> None:
        for seeded in S.API_TOKENS:
            created = S.days_before(self.anchor, seeded.created_days_ago)
            deactivated = S.days_before(self.anchor, S.ADMIN_DEACTIVATED_DAYS_AGO)
            self.api_tokens[seeded.id] = {
                "id": seeded.id,
                "user_id": S.OWNER_ID,
                "assigned_user_id": S.ADMIN_ID if seeded.id == S.ADMIN_API_TOKEN_ID else S.OWNER_ID,
                "description": seeded.description,
                "active": seeded.active,
                "_created": created,
                "_updated": created if seeded.active else deactivated,
                "_deactivated": None if seeded.active else deactivated,
                "_last_used": S.days_before(self.anchor, seeded.last_used_days_ago),
                "_reactivated": None,
                "_value": S.api_token_value(self.seed, seeded.id),
            }

    def _seed_oauth(self) -> None:
        for seeded in S.OAUTH_CLIENTS:
            created = iso(self.anchor - timedelta(days=500 - seeded.id % 100))
            self.oauth_clients[seeded.id] = {
                "id": seeded.id,
                "name": seeded.name,
                "identifier": seeded.identifier,
                "user_id": seeded.owner_id,
                "kind": seeded.kind,
                "company": "zdlib sandbox",
                "description": f"{seeded.name} (seeded)",
                "redirect_uri": ["https://localhost/oauth/callback"],
                "logo_url": "",
                "global": False,
                "created_at": created,
                "updated_at": created,
                "_secret": S.oauth_client_secret(self.seed, seeded.id),
            }
        for seeded in S.OAUTH_TOKENS:
            created = self.anchor - timedelta(days=seeded.created_days_ago)
            expires = (
                None
                if seeded.expires_in_days is None
                else self.anchor + timedelta(days=seeded.expires_in_days)
            )
            self.oauth_tokens[seeded.id] = self.oauth_token_record(
                seeded.id,
                seeded.client_id,
                seeded.user_id,
                list(seeded.scopes),
                created,
                expires,
                S.oauth_token_value(self.seed, seeded.id),
                None,
            )
            self.oauth_tokens[seeded.id]["_used"] = S.days_before(self.anchor, seeded.used_days_ago)
            if seeded.id == S.REFRESHABLE_TOKEN_ID:
                self.oauth_tokens[seeded.id]["_refresh"] = S.oauth_refresh_value(self.seed, seeded.id)
                self.oauth_tokens[seeded.id]["_refresh_expires"] = self.anchor + timedelta(
                    days=S.REFRESH_TOKEN_DAYS
                )

    def oauth_token_record(
        self,
        token_id: int,
        client_id: int,
        user_id: int,
        scopes: list[str],
        created: datetime,
        expires: datetime | None,
        value: str,
        refresh: str | None,
        refresh_expires: datetime | None = None,
    ) -> dict:
        return {
            "id": token_id,
            "client_id": client_id,
            "user_id": user_id,
            "scopes": scopes,
            "_created": created,
            "_expires": expires,
            "_used": None,
            "_value": value,
            "_refresh": refresh,
            "_refresh_expires": refresh_expires,
        }

    def _seed_audit_logs(self) -> None:
        entries = [
            (S.OWNER_ID, "create", "apitoken", 1, "API token", "Created API token 1", 400),
            (
                S.OWNER_ID,
                "create",
                "oauth_client",
                2001,
                "Support Ops automation",
                "Created OAuth client",
                300,
            ),
            (S.INTEGRATION_BOT_ID, "create", "oauth_token", 3003, "OAuth token", "Created OAuth token", 200),
            (S.ADMIN_ID, "update", "rule", 12345, S.FIXED_AUTOMATIONS[0].title, "Position changed", 50),
            (
                S.ADMIN_ID,
                "update",
                "user",
                S.AGENT_ID,
                "Alan Agent",
                "Role changed from end-user to agent",
                20,
            ),
            (S.OWNER_ID, "update", "apitoken", 7, "API token", "Deactivated API token 7", 10),
        ]
        for actor, action, source_type, source_id, label, change, days in entries:
            entry = self.audit(actor, action, source_type, source_id, label, change)
            entry["created_at"] = iso(self.anchor - timedelta(days=days))
