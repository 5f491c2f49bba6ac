"""Workload 4, scale: iterate every user of a large account into the inspect_users census."""

from __future__ import annotations

from typing import Any

from bench.compare import CLIENTS, check_users_seen, run_client

SIZES = {"quick": {"users": 100_000}, "standard": {"users": 1_000_000}}
SIZES["full"] = SIZES["standard"]
LIMIT_MB = 200


def run(mode: str) -> dict[str, Any]:
    users = SIZES[mode]["users"]
    runs = [run_client(client, "census", {"users": users}, check_users_seen(users)) for client in CLIENTS]
    ours = next(r for r in runs if r["client"] == "zdlib")
    target = {
        "goal": f"zdlib peak RSS under {LIMIT_MB} MB",
        "met": ours["peak_rss_mb"] < LIMIT_MB and ours["correct"],
        "measured": f"{ours['peak_rss_mb']} MB",
    }
    return {
        "workload": "scale",
        "title": "4. Scale",
        "cases": [
            {"settings": {"users": users, "rate_limit": "1,000,000/60 s"}, "runs": runs, "target": target}
        ],
    }
