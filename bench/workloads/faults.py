"""Workload 3, faults: the workload of (1) at a small size while the sandbox misbehaves.

Retry-After values are scaled down so runs stay short: `50, 53` becomes `1, 3`, an HTTP date is 2 s
ahead, a float is 1.5 s; the window is 5 s (limit 1,000,000), because a 429 without Retry-After
sends clients to `ratelimit-reset`, the end of the window; a burst of 429s is armed at the start and again
after every 8 answered requests (20 for the bursts of 10).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bench.compare import CLIENTS, check_users_and_deactivation, repeated_faults, run_client

SIZES = {
    "quick": {"users": 1_000, "automations": 15, "window": 5.0},
    "standard": {"users": 3_000, "automations": 40, "window": 5.0},
}
SIZES["full"] = SIZES["standard"]

SCENARIOS: dict[str, dict[str, Any]] = {
    "5% 503 with Retry-After: 1": {
        "faults": {"fail_rate": 0.05, "fail_statuses": [503], "fail_retry_after": 1}
    },
    "5% 500/502/503, no Retry-After": {"faults": {"fail_rate": 0.05, "fail_retry_after": None}},
    "429 bursts of 10 (Retry-After: 1)": {"every": 20, "burst": {"burst_429": 10, "burst_retry_after": 1}},
    "Retry-After: 1.5 (float)": {"every": 8, "burst": {"burst_429": 2, "burst_retry_after": 1.5}},
    "Retry-After: 1, 3 (list)": {"every": 8, "burst": {"burst_429": 2, "burst_retry_after": "1, 3"}},
    "Retry-After: HTTP date +2 s": {
        "every": 8,
        "burst": {"burst_429": 2, "burst_retry_after": "http-date+2"},
    },
    "Retry-After absent": {"every": 8, "burst": {"burst_429": 2, "burst_retry_after": None}},
}


def run(mode: str) -> dict[str, Any]:
    size = SIZES[mode]
    cases = []
    for name, scenario in SCENARIOS.items():
        during = (
            partial(repeated_faults, every_ok=scenario["every"], **scenario["burst"])
            if "burst" in scenario
            else None
        )
        runs = [
            run_client(
                client,
                "list_users_then_deactivate",
                dict(size),
                check_users_and_deactivation,
                faults=scenario.get("faults"),
                during=during,
            )
            for client in CLIENTS
        ]
        ours = next(r for r in runs if r["client"] == "zdlib")
        target = {
            "goal": "completes with the right final state",
            "met": ours["correct"] and ours["errors"] == 0,
            "measured": "complete and correct" if ours["correct"] else f"not correct: {ours['checks']}",
        }
        cases.append({"settings": {"scenario": name, **size}, "runs": runs, "target": target})
    return {"workload": "faults", "title": "3. Faults", "cases": cases}
