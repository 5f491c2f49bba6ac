"""Simulated consumers: integrations that call the API on a schedule of the sandbox clock (issue 23, part 4).

Invented (Zendesk has nothing like it): each seeded consumer holds one API token and "calls the API" every
`every_hours` of sandbox time. A call authenticates as `zdlib.sandbox.auth` does: with the API token it moves
`last_used` (only while the token works: the 30-day rule and the admin's deactivation apply at that instant);
with a handed-off OAuth token it moves that token's `used_at` (OAS `OAuthTokenObject.used_at`: "the latest
time this token was used for authentication"). Calls are played lazily, tick by tick, when the clock is moved
or a token listing is read. The control endpoints are in `api_consumers.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from zdlib.sandbox import seed as S

if TYPE_CHECKING:
    from zdlib.sandbox.state import SandboxState


class Mode(StrEnum):
    """Which credential a consumer calls with."""

    API_TOKEN = "api_token"
    OAUTH = "oauth"
    RETIRED = "retired"


def seeded(anchor: datetime) -> dict[str, dict]:
    """The seeded consumers, each on its API token, scheduled from the anchor."""
    return {
        c.name: {
            "name": c.name,
            "api_token_id": c.api_token_id,
            "every_hours": c.every_hours,
            "mode": Mode.API_TOKEN,
            "oauth_token_id": None,
            "_played": anchor,
        }
        for c in S.CONSUMERS
    }


def _call(state: SandboxState, consumer: dict, at: datetime) -> None:
    """One scheduled call at `at`, authenticated with the consumer's current credential."""
    store = state.store
    if consumer["mode"] is Mode.API_TOKEN:
        token = store.api_tokens.get(consumer["api_token_id"])
        if token is not None and store.api_token_active(token, at):
            token["_last_used"] = at
    elif consumer["mode"] is Mode.OAUTH:
        oauth = store.oauth_tokens.get(consumer["oauth_token_id"])
        if oauth is not None and (oauth["_expires"] is None or oauth["_expires"] > at):
            oauth["_used"] = at


def play(state: SandboxState) -> None:
    """Play every scheduled call from each consumer's last played tick up to the clock's now."""
    now = state.clock.now()
    for consumer in state.store.consumers.values():
        step = timedelta(hours=consumer["every_hours"])
        tick = consumer["_played"] + step
        while tick <= now:
            _call(state, consumer, tick)
            consumer["_played"] = tick
            tick += step
