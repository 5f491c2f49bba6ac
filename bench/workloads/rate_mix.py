"""Workload 1, rate-bound mix: list every user by cursor, then deactivate every active automation.

The floor is `ceil(requests / limit) - 1` whole windows plus the transfer time of the requests in the
last window, where the transfer time is measured per client on an unlimited sandbox (same data).
"""

from __future__ import annotations

import math
from typing import Any

from bench.compare import CLIENTS, check_users_and_deactivation, run_client

SIZES = {
    "quick": [{"users": 5_000, "automations": 100, "rate_limit": 50, "window": 2.0}],
    "standard": [{"users": 50_000, "automations": 300, "rate_limit": 100, "window": 5.0}],
}
SIZES["full"] = [*SIZES["standard"], {"users": 50_000, "automations": 300, "rate_limit": 700, "window": 60.0}]
FUNCTION = "list_users_then_deactivate"


def floor_seconds(requests: int, limit: int, window: float, transfer_s: float) -> float:
    """Whole windows the limit forces, plus the unthrottled time of the requests left for the last one."""
    windows = math.ceil(requests / limit) - 1
    last_share = (requests - windows * limit) / requests
    return windows * window + transfer_s * last_share


def run(mode: str) -> dict[str, Any]:
    cases = []
    for size in SIZES[mode]:
        data = {"users": size["users"], "automations": size["automations"]}
        runs = []
        for client in CLIENTS:
            unlimited = run_client(client, FUNCTION, data, check_users_and_deactivation)
            limited = run_client(
                client,
                FUNCTION,
                {**data, "rate_limit": size["rate_limit"], "window": size["window"]},
                check_users_and_deactivation,
            )
            needed = limited["requests"] - limited["rate_limited"]
            floor = floor_seconds(needed, size["rate_limit"], size["window"], unlimited["wall_s"])
            limited.update(
                transfer_s=unlimited["wall_s"],
                unlimited_requests=unlimited["requests"],
                floor_s=round(floor, 2),
                ratio_to_floor=round(limited["wall_s"] / floor, 3),
            )
            runs.append(limited)
        cases.append({"settings": size, "runs": runs, "target": _target(runs)})
    return {"workload": "rate_mix", "title": "1. Rate-bound mix", "cases": cases}


def _target(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ours = next(r for r in runs if r["client"] == "zdlib")
    met = ours["ratio_to_floor"] <= 1.05 and ours["rate_limited"] == 0 and ours["correct"]
    return {
        "goal": "zdlib ratio to floor <= 1.05 with zero 429s",
        "met": met,
        "measured": f"ratio {ours['ratio_to_floor']}, {ours['rate_limited']} x 429",
    }
