from __future__ import annotations

import itertools
import math

import httpx
import pytest

from tests.client.conftest import FakeClock, make_client
from tests.client.fakes import WindowedServer
from zdlib import DeadlineExceeded
from zdlib.ratelimit import RESET_ROUNDING, Pacer, parse_bucket


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


def pacer(clock: FakeClock, **kwargs) -> Pacer:
    waits: list[tuple[float, str]] = []
    p = Pacer(clock=clock, sleep=clock.sleep, on_wait=lambda w, r: waits.append((w, r)), **kwargs)
    p.waits = waits  # type: ignore[attr-defined]
    return p


def test_no_headers_means_no_waiting() -> None:
    clock = FakeClock()
    p = pacer(clock)
    for _ in range(50):
        p.acquire()
        p.release("", httpx.Headers({}))
    assert clock.sleeps == []


def test_waits_for_reset_when_budget_is_spent() -> None:
    clock = FakeClock()
    p = pacer(clock)
    p.acquire()
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="0", ratelimit_reset="30"))
    p.acquire()
    assert sum(clock.sleeps) == pytest.approx(30 + RESET_ROUNDING)  # whole-second header: +0.5 s
    assert p.waits[0][1].startswith("budget")


def test_in_flight_requests_count_as_spent() -> None:
    clock = FakeClock()
    p = pacer(clock, tail_fraction=0)
    p.acquire()
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="3", ratelimit_reset="10"))
    for _ in range(3):
        p.acquire()  # three in flight, none answered yet
    assert p.in_flight == 3
    with pytest.raises(DeadlineExceeded) as info:  # a fourth must wait for the window
        p.acquire(deadline=clock.now + 5)
    assert info.value.retry_after == pytest.approx(10 + RESET_ROUNDING)
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="2", ratelimit_reset="10"))
    with pytest.raises(DeadlineExceeded):
        p.acquire(deadline=clock.now + 5)  # 2 left, 2 still in flight


def test_rate_share_keeps_a_reserve() -> None:
    clock = FakeClock()
    p = pacer(clock, share=0.5, tail_fraction=0)
    p.acquire()
    p.release("", headers(x_rate_limit="100", x_rate_limit_remaining="51", ratelimit_reset="20"))
    p.acquire()
    assert clock.sleeps == []
    p.release("", headers(x_rate_limit="100", x_rate_limit_remaining="50", ratelimit_reset="19"))
    clock.advance(1)
    p.acquire()
    assert sum(clock.sleeps) == pytest.approx(18 + RESET_ROUNDING)  # the tightest bound: 19 s + 0.5 after t=0


def test_x_rate_limit_without_reset_assumes_a_minute() -> None:
    clock = FakeClock()
    p = pacer(clock)
    p.acquire()
    p.release("", headers(x_rate_limit="700", x_rate_limit_remaining="0"))
    p.acquire()
    assert sum(clock.sleeps) == pytest.approx(60)


def test_endpoint_bucket_applies_to_its_route_only() -> None:
    assert parse_bucket("total=100; remaining=99; resets=41") == (100, 99, 41.0)
    clock = FakeClock()
    p = pacer(clock)
    p.acquire("GET /api/v2/incremental/users/cursor")
    p.release(
        "GET /api/v2/incremental/users/cursor",
        headers(
            ratelimit_limit="700",
            ratelimit_remaining="600",
            ratelimit_reset="50",
            zendesk_ratelimit_incremental_exports="total=10; remaining=0; resets=25",
        ),
    )
    p.acquire("GET /api/v2/users")
    p.release("GET /api/v2/users", None)
    assert clock.sleeps == []
    p.acquire("GET /api/v2/incremental/users/cursor")
    assert sum(clock.sleeps) == pytest.approx(25 + RESET_ROUNDING)
    assert "incremental-exports" in p.waits[-1][1]


def test_a_429_pauses_every_worker_until_the_same_instant() -> None:
    clock = FakeClock()
    p = pacer(clock)
    p.acquire()
    p.release("", httpx.Headers({}))
    p.pause(5)
    start = clock.now
    p.acquire()
    assert clock.now == pytest.approx(start + 5)
    clock.advance(1)  # a second worker arriving later waits for the same instant, not 5 s more
    p.pause(5 - 1 - 0.0)  # the same pause reported again by another worker's 429
    first_end = clock.now + 4
    p.release("", httpx.Headers({}))
    p.acquire()
    assert clock.now == pytest.approx(first_end)


def test_spacing_spreads_the_tail_of_the_budget() -> None:
    clock = FakeClock()
    p = pacer(clock, tail_fraction=0.1)
    p.acquire()
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="5", ratelimit_reset="12"))
    times = []
    for _ in range(5):
        p.acquire()
        times.append(clock.now)
        p.release("", None)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g > 1 for g in gaps)
    assert times[-1] - times[0] < 12


def test_deadline_raises_with_retry_after() -> None:
    clock = FakeClock()
    p = pacer(clock)
    p.acquire()
    p.release("", headers(ratelimit_limit="10", ratelimit_remaining="0", ratelimit_reset="40"))
    with pytest.raises(DeadlineExceeded) as info:
        p.acquire(deadline=clock.now + 10)
    assert info.value.retry_after == pytest.approx(40 + RESET_ROUNDING)


@pytest.mark.parametrize("rounding", [math.ceil, math.floor, round])
def test_long_job_uses_the_window_fully_without_429s(rounding) -> None:
    """1,000 sequential requests at 100 per 5 s: finishes at the floor (about 50 s), almost no 429."""
    clock = FakeClock(start=0.0)
    server = WindowedServer(clock, 100, 5.0, latency=0.01, advance=clock.advance, reset_rounding=rounding)
    client = make_client(server, clock=clock)
    for i in range(1000):
        client.get(f"/api/v2/users/{i}")
    floor = 9 * 5.0 + 100 * 0.01  # the last 100 requests go at the start of the 10th window
    assert server.too_many <= (1 if rounding is math.floor else 0)
    assert clock.now <= floor + 1.0
    assert client.stats.requests == 1000 + server.too_many


def test_an_older_answer_arriving_late_does_not_give_budget_back() -> None:
    """Concurrent answers arrive out of order: a stale, higher `remaining` must not raise our count."""
    clock = FakeClock()
    p = pacer(clock)
    p.acquire()
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="20", ratelimit_reset="30"))
    for _ in range(12):
        p.acquire()
    for _ in range(10):
        p.release("", None)
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="8", ratelimit_reset="30"))  # fresh
    after_fresh = p.remaining
    p.release("", headers(ratelimit_limit="100", ratelimit_remaining="15", ratelimit_reset="30"))  # stale
    assert p.remaining == after_fresh <= 8


def test_concurrent_bulk_over_a_windowed_server_never_overshoots() -> None:
    """8 workers, 300 writes at 100 per 5 s (fake clock): no 429 at all."""
    clock = FakeClock(start=0.0)
    server = WindowedServer(clock, 100, 5.0, latency=0.01, advance=clock.advance, reset_rounding=round)
    client = make_client(server, clock=clock)
    results = client.bulk(lambda i: client.get(f"/api/v2/automations/{i}"), range(300), concurrency=8)
    assert all(r.ok for r in results)
    assert server.too_many == 0
