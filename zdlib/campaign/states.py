"""One API token's campaign state, derived from evidence alone (issue 23, part 1).

Pure: no I/O, no clock of its own (`as_of` is given). The state machine follows
shared/reviews/2026-12-04/migration-research.md §1.4 ("States per API token").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from zdlib.campaign.evidence import IDLE_RULE, PURGE_AFTER, Policy, TokenEvidence


class State(StrEnum):
    """Where one API token stands on its way to retirement."""

    INVENTORIED = "inventoried"
    OWNER_KNOWN = "owner_known"
    OAUTH_ISSUED = "oauth_issued"
    SWITCHED = "switched"
    DEACTIVATED = "deactivated"
    DONE = "done"
    AUTO_DEACTIVATED = "auto_deactivated"
    ORPHAN = "orphan"
    RETIRED = "retired"
    ROLLED_BACK = "rolled_back"


class Actor(StrEnum):
    """Who must act next."""

    OWNER = "owner"
    ADMIN = "admin"
    CAMPAIGN = "campaign"
    NOBODY = "nobody"


FINISHED = frozenset({State.DEACTIVATED, State.DONE})
REMINDER_FACT = "reminder posted"  # a reminder asks the owner to act; it does not move the token


@dataclass(frozen=True)
class Fact:
    """One piece of evidence: what was seen, when, and the record that showed it (None for an API fact)."""

    what: str
    at: datetime | None
    record: str | None = None


@dataclass(frozen=True)
class NextAction:
    """The next step and who takes it."""

    who: Actor
    what: str


@dataclass(frozen=True)
class Standing:
    """A token's derived state with its evidence, next action and dates."""

    token_id: int
    state: State
    since: datetime | None
    evidence: tuple[Fact, ...]
    next: NextAction
    last_safe_switch: date
    purge_on: date | None = None
    at_risk: bool = False


def _facts(ev: TokenEvidence) -> list[Fact]:
    """Every fact the evidence holds, API facts first, then records."""
    facts: list[Fact] = []
    if ev.listed is None:
        facts.append(Fact("absent from GET /api/v2/api_tokens", None))
    else:
        t = ev.listed
        facts.append(Fact(f"listed, active={str(t.active).lower()}", t.updated_at))
        facts.append(Fact("last_used" if t.last_used else "last_used: never", t.last_used))
    if ev.access_request and ev.access_request.resolved_at:
        facts.append(Fact(f"access request {ev.access_request.url} resolves", ev.access_request.resolved_at))
    if ev.access_request and ev.access_request.retired_at:
        facts.append(Fact("owner says the consumer is retired", ev.access_request.retired_at))
    facts.extend(Fact(REMINDER_FACT, r.at, r.record) for r in ev.reminders)
    if ev.issued:
        facts.append(Fact(f"OAuth client {ev.issued.client_id} issued", ev.issued.at, ev.issued.record))
    facts.extend(Fact(f"OAuth token {o.id} used_at", o.used_at) for o in ev.oauth_tokens if o.used_at)
    if ev.deactivation:
        facts.append(
            Fact("deactivation verified (active: false)", ev.deactivation.at, ev.deactivation.record)
        )
    elif ev.listed and not ev.listed.active:
        how = "Zendesk's 30-day rule" if by_the_idle_rule(ev) else "a person, outside the campaign"
        facts.append(Fact(f"deactivated by {how} (no revoke_token record)", ev.listed.updated_at))
    return facts


def switched_since(ev: TokenEvidence, policy: Policy, as_of: datetime) -> datetime | None:
    """When the consumer counts as switched, or None.

    Both signals are needed: the replacing client's token was used after it was issued, AND the API token's
    `last_used` has not moved for the soak window. A consumer still calling with its API token is never
    switched.
    """
    if ev.issued is None or ev.listed is None:
        return None
    uses = [o.used_at for o in ev.oauth_tokens if o.client_id == ev.issued.client_id and o.used_at]
    uses = [u for u in uses if u >= ev.issued.at]
    if not uses:
        return None
    since = min(uses)
    last_used = ev.listed.last_used
    if last_used is not None:
        since = max(since, last_used + policy.soak)
    return since if since <= as_of else None


NEXT: dict[State, NextAction] = {
    State.INVENTORIED: NextAction(
        Actor.CAMPAIGN, "find its owner: its description should name an access request"
    ),
    State.OWNER_KNOWN: NextAction(
        Actor.CAMPAIGN, "issue a replacing OAuth client (create_token replaces_api_token)"
    ),
    State.OAUTH_ISSUED: NextAction(
        Actor.OWNER, "switch the consumer to the OAuth client and stop using the API token"
    ),
    State.SWITCHED: NextAction(Actor.ADMIN, "deactivate it in Admin Center (revoke_token)"),
    State.DEACTIVATED: NextAction(Actor.OWNER, "report any breakage before the quiet period ends"),
    State.DONE: NextAction(Actor.NOBODY, "nothing: finished"),
    State.AUTO_DEACTIVATED: NextAction(
        Actor.OWNER, "say whether the consumer still runs; if so, move it to OAuth before the purge date"
    ),
    State.ORPHAN: NextAction(
        Actor.ADMIN, "plan its deactivation with a rollback window (reactivation possible for 60 days)"
    ),
    State.RETIRED: NextAction(Actor.ADMIN, "deactivate it in Admin Center (revoke_token)"),
    State.ROLLED_BACK: NextAction(Actor.OWNER, "fix the consumer's OAuth use, then switch again"),
}


def by_the_idle_rule(ev: TokenEvidence) -> bool:
    """True when an inactive token had been idle 30 days when it was switched off (Zendesk's rule); a token
    switched off sooner was deactivated by a person in Admin Center, outside the campaign."""
    assert ev.listed is not None
    idle_since = ev.listed.last_used or ev.listed.created_at
    return ev.listed.updated_at - idle_since >= IDLE_RULE


def _inactive(ev: TokenEvidence, policy: Policy, as_of: datetime) -> tuple[State, datetime | None]:
    """A listed token with `active: false`: deactivated by the campaign (its record), by Zendesk's 30-day
    rule, or by a person outside the campaign (then the API's `updated_at` is the deactivation's time)."""
    assert ev.listed is not None
    if ev.deactivation is None and by_the_idle_rule(ev):
        return State.AUTO_DEACTIVATED, ev.listed.updated_at
    at = ev.deactivation.at if ev.deactivation else ev.listed.updated_at
    if as_of - at >= policy.quiet:
        return State.DONE, at + policy.quiet
    return State.DEACTIVATED, at


def _active(ev: TokenEvidence, policy: Policy, as_of: datetime) -> tuple[State, datetime | None]:
    """A listed, active token: how far its consumer got."""
    assert ev.listed is not None
    ar = ev.access_request
    switched = switched_since(ev, policy, as_of)
    if ev.deactivation is not None:
        return State.ROLLED_BACK, ev.listed.updated_at
    if ar and ar.retired_at:
        return State.RETIRED, ar.retired_at
    if switched is not None:
        return State.SWITCHED, switched
    if ev.issued is not None:
        return State.OAUTH_ISSUED, ev.issued.at
    if ar and ar.resolved_at:
        return State.OWNER_KNOWN, ar.resolved_at
    if len(ev.reminders) >= policy.orphan_after_reminders:  # since the ask that made it an orphan
        return State.ORPHAN, ev.reminders[policy.orphan_after_reminders - 1].at
    return State.INVENTORIED, ev.listed.created_at


def derive(ev: TokenEvidence, as_of: datetime, policy: Policy | None = None) -> Standing:
    """Derive one token's state from its evidence as of `as_of` (timezone-aware)."""
    if as_of.tzinfo is None:
        raise ValueError(
            "campaign: as_of must be timezone-aware (e.g. datetime.now(UTC)); nothing was derived"
        )
    policy = policy or Policy()
    if ev.listed is None:
        state, since = State.DONE, None
    elif not ev.listed.active:
        state, since = _inactive(ev, policy, as_of)
    else:
        state, since = _active(ev, policy, as_of)
    purge = (since + PURGE_AFTER).date() if state is State.AUTO_DEACTIVATED and since else None
    at_risk = state not in FINISHED and state is not State.SWITCHED and as_of.date() > policy.last_safe_switch
    return Standing(
        ev.token_id, state, since, tuple(_facts(ev)), NEXT[state], policy.last_safe_switch, purge, at_risk
    )
