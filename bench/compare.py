"""One client, one fresh sandbox: run the workload in a child process, read the referee, check the result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from bench.measure import in_child
from bench.referee import Referee
from bench.sandbox_process import SandboxProcess

CLIENTS = ("zenpy", "zdlib")
Check = Callable[[Referee, dict[str, Any]], dict[str, Any]]
During = Callable[[SandboxProcess], AbstractContextManager[Any]]


def run_client(
    client: str,
    function: str,
    sandbox: dict[str, Any],
    check: Check,
    *,
    params: dict[str, Any] | None = None,
    faults: dict[str, Any] | None = None,
    during: During | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run `bench.<client>_side:<function>` against a fresh sandbox and return figures plus correctness."""
    with SandboxProcess(**sandbox) as box:
        if faults:
            box.faults(**faults)
        env = {**box.client_env(), **(extra_env or {})}
        with during(box) if during else nullcontext():
            started = time.perf_counter()
            result = in_child(f"bench.{client}_side:{function}", env, params or {})
            process_wall = time.perf_counter() - started
        stats = box.stats()
        server_rss = box.rss_mb()
        box.faults(fail_rate=0, burst_429=0, drop_rate=0, drop_next=0, latency_ms=0)
        with Referee(box.client_env()) as referee:
            verdict = check(referee, result)
    errors = (
        result.get("update_errors", 0)
        + (1 if "list_error" in result else 0)
        + (1 if "crashed" in result else 0)
    )
    return {
        "client": client,
        **{k: v for k, v in result.items() if k != "traceback"},
        "process_wall_s": round(process_wall, 3),
        "requests": stats["total"],
        "rate_limited": stats["rate_limited"],
        "by_status": stats["by_status"],
        "dropped": stats["dropped"],
        "peak_concurrency": stats["peak_concurrency"],
        "server_rss_mb": server_rss,
        "errors": errors,
        "correct": verdict.pop("correct"),
        "checks": verdict,
        **({"traceback": result["traceback"]} if "traceback" in result else {}),
    }


@contextmanager
def repeated_faults(box: SandboxProcess, every_ok: int, **settings: Any) -> Iterator[None]:
    """Arm the same faults (a burst of 429s) again after every `every_ok` answered requests.

    Counting answered requests rather than seconds keeps the storm finite for a client that waits
    longer than another: each client gets the same number of bursts for the same work.
    """
    stop = threading.Event()

    def answered() -> int:
        stats = box.stats()
        return stats["total"] - stats["rate_limited"]

    def inject() -> None:
        armed_at = answered()
        while not stop.wait(0.05):
            if box.faults().get("burst_429", 0) == 0 and answered() - armed_at >= every_ok:
                box.faults(**settings)
                armed_at = answered()

    box.faults(**settings)
    thread = threading.Thread(target=inject, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def check_users_and_deactivation(referee: Referee, result: dict[str, Any]) -> dict[str, Any]:
    """Every user seen exactly once and every automation inactive, as the API reports afterwards."""
    expected_users = referee.user_count()
    still_active = [a["id"] for a in referee.automations() if a["active"]]
    checks = {
        "users_expected": expected_users,
        "users_seen": result.get("items_seen"),
        "users_repeated_or_disordered": result.get("items_not_increasing"),
        "automations_still_active": len(still_active),
    }
    checks["correct"] = (
        "crashed" not in result
        and "list_error" not in result
        and result.get("items_seen") == expected_users
        and result.get("items_not_increasing") == 0
        and not still_active
    )
    return checks


COUNT_CAP = 100_000  # what the sandbox answered above this before issue 22 (now: the daily-refreshed count)


def check_users_seen(configured: int) -> Check:
    """Every user seen once; the expected number is the API's count, or the configured size above its cap."""

    def check(referee: Referee, result: dict[str, Any]) -> dict[str, Any]:
        counted = referee.user_count()
        expected = configured if counted == COUNT_CAP and configured > COUNT_CAP else counted
        checks = {
            "users_expected": expected,
            "users_counted_by_api": counted,
            "users_seen": result.get("items_seen"),
        }
        checks["correct"] = (
            "crashed" not in result
            and result.get("items_seen") == expected
            and result.get("items_not_increasing", 0) == 0
            and result.get("census_total", expected) == expected
        )
        return checks

    return check


def check_renamed(count: int) -> Check:
    def check(referee: Referee, result: dict[str, Any]) -> dict[str, Any]:
        automations = sorted(referee.automations(), key=lambda a: a["id"])
        renamed = sum(a["title"] == f"bench-{a['id']}" for a in automations)
        checks = {"renamed_expected": count, "renamed": renamed}
        checks["correct"] = "crashed" not in result and renamed == count and result.get("update_errors") == 0
        return checks

    return check
