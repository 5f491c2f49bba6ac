"""The sandbox plays the API-token campaign (issue 23 part 4), read over real HTTP with the zdlib client.

Zendesk's rules it plays (shared/reference/zendesk-2026-12-updates.md section 2 row 1, DOC [ZD-MIG]): a
token unused for 30 days is deactivated, and deleted 60 days after its deactivation; a token's `last_used`
moves when it authenticates; an OAuth token's `used_at` is "the latest time this token was used for
authentication" (OAS).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zdlib import Client
from zdlib.campaign.evidence import ListedToken, TokenEvidence
from zdlib.campaign.states import State, derive
from zdlib.config import load_settings
from zdlib.sandbox import seed as S

SWITCHED, KEEPS = S.CONSUMERS  # reporting-export will switch; zapier-sync keeps its API token
IDLE_TOKEN = 8  # no consumer: 25 days idle at the anchor
AUTO_TOKEN = 4  # idle 45 days at the anchor: deactivated 15 days before it
HANDED_OFF = 3003  # a never-expiring OAuth token of client 2002


def listing(zd: Client) -> dict[int, ListedToken]:
    return {t["id"]: ListedToken.from_api(t) for t in zd.get("/api/v2/api_tokens")["api_tokens"]}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_consumers_30_day_rule_purge_and_a_switch(fresh_sandbox):
    control = fresh_sandbox.control
    with Client(load_settings(environ=fresh_sandbox.env)) as zd:
        before = listing(zd)
        now = instant(control.set_clock(advance_days=2))
        moved = listing(zd)
        for consumer in (SWITCHED, KEEPS):
            used = moved[consumer.api_token_id].last_used
            assert used is not None and used > before[consumer.api_token_id].last_used  # type: ignore[operator]
            assert now - timedelta(hours=consumer.every_hours) < used <= now
        assert moved[IDLE_TOKEN].last_used == before[IDLE_TOKEN].last_used and moved[IDLE_TOKEN].active

        now = instant(control.set_clock(advance_days=4))  # token 8 passes 30 idle days
        idle = listing(zd)[IDLE_TOKEN]
        assert not idle.active and idle.updated_at == before[IDLE_TOKEN].last_used + timedelta(days=30)  # type: ignore[operator]
        standing = derive(TokenEvidence(IDLE_TOKEN, idle), now)
        assert standing.state is State.AUTO_DEACTIVATED
        assert standing.purge_on == (idle.updated_at + timedelta(days=60)).date()

        switched_at = instant(control.now())
        control.consumer(SWITCHED.name, "switch", oauth_token_id=HANDED_OFF)
        frozen = listing(zd)[SWITCHED.api_token_id].last_used
        now = instant(control.set_clock(advance_days=3))
        after = listing(zd)
        oauth = zd.get(f"/api/v2/oauth/tokens/{HANDED_OFF}")["token"]
        assert switched_at < instant(oauth["used_at"]) <= now
        assert after[SWITCHED.api_token_id].last_used == frozen  # no longer calls with its API token
        assert now - timedelta(hours=KEEPS.every_hours) < after[KEEPS.api_token_id].last_used <= now  # type: ignore[operator]

        control.set_clock(advance_days=40)  # token 4: deactivated 15 days before the anchor, deleted 60 after
        final = listing(zd)
        assert AUTO_TOKEN not in final
        assert not final[SWITCHED.api_token_id].active  # idle 30 days since the switch: the rule caught it
        assert final[KEEPS.api_token_id].active
