"""The campaign's states from evidence (issue 23 part 1): every state, its since, next action and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from zdlib.campaign.evidence import (
    AccessRequest,
    ClientIssued,
    ListedToken,
    OAuthTokenUse,
    Policy,
    RecordLine,
    TokenEvidence,
)
from zdlib.campaign.states import NEXT, Actor, State, derive, switched_since

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
AR = "https://gitlab.example/support/access-requests/-/issues/42"


def listed(active: bool = True, last_used: datetime | None = T0, updated: datetime = T0) -> ListedToken:
    return ListedToken(7, f"Zapier sync, {AR}", active, T0 - 300 * DAY, updated, last_used)


def owned(at: datetime = T0 + DAY) -> AccessRequest:
    return AccessRequest(AR, "jdoe", at)


ISSUED = ClientIssued("2026-11-03-create_token-1", T0 + 2 * DAY, client_id=900)


def used(at: datetime | None, client_id: int = 900) -> OAuthTokenUse:
    return OAuthTokenUse(1, client_id, at)


def test_inventoried_when_only_listed() -> None:
    s = derive(TokenEvidence(7, listed()), T0 + DAY)
    assert (s.state, s.since, s.next.who) == (State.INVENTORIED, T0 - 300 * DAY, Actor.CAMPAIGN)
    assert s.evidence[0].what == "listed, active=true"


def test_owner_known_when_access_request_resolves() -> None:
    s = derive(TokenEvidence(7, listed(), access_request=owned()), T0 + 2 * DAY)
    assert (s.state, s.since) == (State.OWNER_KNOWN, T0 + DAY)
    assert "create_token" in s.next.what
    assert any(AR in f.what for f in s.evidence)


def test_oauth_issued_carries_its_record() -> None:
    s = derive(TokenEvidence(7, listed(), owned(), ISSUED), T0 + 3 * DAY)
    assert (s.state, s.since, s.next.who) == (State.OAUTH_ISSUED, ISSUED.at, Actor.OWNER)
    assert ISSUED.record in {f.record for f in s.evidence}


def test_switched_after_oauth_use_and_a_quiet_soak() -> None:
    ev = TokenEvidence(7, listed(last_used=T0 + 3 * DAY), owned(), ISSUED, (used(T0 + 4 * DAY),))
    assert derive(ev, T0 + 9 * DAY).state is State.OAUTH_ISSUED  # soak not over: last_used + 7 d = T0 + 10 d
    s = derive(ev, T0 + 10 * DAY)
    assert (s.state, s.since, s.next.who) == (State.SWITCHED, T0 + 10 * DAY, Actor.ADMIN)


def test_consumer_that_keeps_its_api_token_is_never_switched() -> None:
    for days in range(4, 200, 5):
        as_of = T0 + days * DAY
        ev = TokenEvidence(7, listed(last_used=as_of - DAY / 4), owned(), ISSUED, (used(as_of - DAY),))
        assert derive(ev, as_of).state is State.OAUTH_ISSUED, as_of


def test_oauth_use_before_the_issue_or_by_another_client_does_not_count() -> None:
    quiet = listed(last_used=T0)
    for use in (used(T0 + DAY), used(T0 + 5 * DAY, client_id=901), used(None)):
        ev = TokenEvidence(7, quiet, owned(), ISSUED, (use,))
        assert switched_since(ev, Policy(), T0 + 60 * DAY) is None


def test_a_longer_soak_window_delays_switched() -> None:
    ev = TokenEvidence(7, listed(last_used=T0 + 3 * DAY), owned(), ISSUED, (used(T0 + 4 * DAY),))
    monthly = Policy(soak=timedelta(days=35))
    assert derive(ev, T0 + 37 * DAY, monthly).state is State.OAUTH_ISSUED
    assert derive(ev, T0 + 38 * DAY, monthly).since == T0 + 38 * DAY
    assert monthly.last_safe_switch == date(2027, 4, 30) - timedelta(days=49)


def test_deactivated_then_done_after_the_quiet_period() -> None:
    verified = RecordLine("2026-11-20-revoke_token-1", T0 + 20 * DAY)
    ev = TokenEvidence(7, listed(active=False, updated=T0 + 19 * DAY), owned(), ISSUED, deactivation=verified)
    s = derive(ev, T0 + 21 * DAY)
    assert (s.state, s.since, s.purge_on) == (State.DEACTIVATED, verified.at, None)
    assert verified.record in {f.record for f in s.evidence}
    done = derive(ev, T0 + 34 * DAY)
    assert (done.state, done.since, done.next.who) == (State.DONE, T0 + 34 * DAY, Actor.NOBODY)


def test_done_when_gone_from_the_listing() -> None:
    s = derive(TokenEvidence(7, None), T0)
    assert (s.state, s.evidence[0].what) == (State.DONE, "absent from GET /api/v2/api_tokens")


def test_auto_deactivated_carries_its_purge_date() -> None:
    off = T0 + 31 * DAY
    s = derive(TokenEvidence(7, listed(active=False, last_used=T0, updated=off)), off + DAY)
    assert (s.state, s.since, s.next.who) == (State.AUTO_DEACTIVATED, off, Actor.OWNER)
    assert s.purge_on == (off + timedelta(days=60)).date() == date(2027, 1, 31)


def test_switched_off_by_a_person_before_30_idle_days_is_deactivated_not_the_rule() -> None:
    off = T0 + 5 * DAY  # used at T0, deactivated 5 days later in Admin Center, with no revoke_token record
    s = derive(TokenEvidence(7, listed(active=False, last_used=T0, updated=off)), off + DAY)
    assert (s.state, s.since, s.purge_on) == (State.DEACTIVATED, off, None)
    assert "a person, outside the campaign" in s.evidence[-1].what
    assert derive(
        TokenEvidence(7, listed(active=False, last_used=T0, updated=off)), off + 14 * DAY
    ).state is (State.DONE)


def test_orphan_after_the_reminders_without_an_owner() -> None:
    reminders = tuple(RecordLine(f"r{i}", T0 + i * 7 * DAY) for i in range(1, 4))
    s = derive(TokenEvidence(7, listed(), reminders=reminders[:2]), T0 + 30 * DAY)
    assert s.state is State.INVENTORIED
    s = derive(TokenEvidence(7, listed(), reminders=reminders), T0 + 30 * DAY)
    assert (s.state, s.since, s.next.who) == (State.ORPHAN, T0 + 21 * DAY, Actor.ADMIN)


def test_retired_when_the_owner_says_the_consumer_is_gone() -> None:
    ar = AccessRequest(AR, "jdoe", T0 + DAY, retired_at=T0 + 5 * DAY)
    s = derive(TokenEvidence(7, listed(), ar, ISSUED), T0 + 6 * DAY)
    assert (s.state, s.since, s.next.who) == (State.RETIRED, T0 + 5 * DAY, Actor.ADMIN)


def test_rolled_back_when_active_again_after_a_verified_deactivation() -> None:
    verified = RecordLine("2026-11-20-revoke_token-1", T0 + 20 * DAY)
    ev = TokenEvidence(7, listed(updated=T0 + 22 * DAY), owned(), ISSUED, deactivation=verified)
    s = derive(ev, T0 + 23 * DAY)
    assert (s.state, s.since, s.next.who) == (State.ROLLED_BACK, T0 + 22 * DAY, Actor.OWNER)


def test_at_risk_past_the_last_safe_switch_date() -> None:
    policy = Policy()
    assert policy.last_safe_switch == date(2027, 4, 9)
    late = datetime(2027, 4, 10, tzinfo=UTC)
    assert derive(TokenEvidence(7, listed()), late).at_risk
    assert not derive(TokenEvidence(7, listed()), datetime(2027, 4, 9, tzinfo=UTC)).at_risk
    assert not derive(TokenEvidence(7, None), late).at_risk


def test_naive_as_of_and_bad_policy_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        derive(TokenEvidence(7, listed()), datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="soak must not be negative"):
        Policy(soak=-DAY)
    with pytest.raises(ValueError, match="orphan_after_reminders"):
        Policy(orphan_after_reminders=0)


def test_a_listing_entry_is_parsed_with_either_last_used_name() -> None:
    entry = {"id": 7, "description": "x", "active": True, "created_at": "2026-01-02T03:04:05Z"}
    entry["updated_at"] = "2026-02-02T00:00:00Z"
    assert ListedToken.from_api({**entry, "last_used": "2026-03-01T00:00:00Z"}).last_used == datetime(
        2026, 3, 1, tzinfo=UTC
    )
    assert ListedToken.from_api({**entry, "last_used_at": "2026-03-02T00:00:00Z"}).last_used == datetime(
        2026, 3, 2, tzinfo=UTC
    )
    assert ListedToken.from_api({**entry, "last_used": None}).last_used is None
    with pytest.raises(ValueError, match="api_tokens entry 7 is not a listing entry"):
        ListedToken.from_api({"id": 7, "active": True})


def test_every_state_has_a_next_action() -> None:
    assert set(NEXT) == set(State)
