"""Workload 2, latency-bound writes: N automation updates with added latency and a generous limit."""

from __future__ import annotations

from typing import Any

from bench.compare import CLIENTS, check_renamed, run_client

SIZES = {"quick": {"updates": 100}, "standard": {"updates": 600}}
SIZES["full"] = SIZES["standard"]
LATENCY_MS = 150


def run(mode: str) -> dict[str, Any]:
    count = SIZES[mode]["updates"]
    sandbox = {"automations": count, "latency_ms": LATENCY_MS, "users": 100}
    runs = [
        run_client(client, "rename_automations", sandbox, check_renamed(count), params={"count": count})
        for client in CLIENTS
    ]
    # the same zdlib run with twice the default concurrency, to show what bounds the speed-up
    wider = run_client(
        "zdlib",
        "rename_automations",
        sandbox,
        check_renamed(count),
        params={"count": count},
        extra_env={"ZENDESK_CONCURRENCY": "8"},
    )
    wider["client"] = "zdlib (ZENDESK_CONCURRENCY=8)"
    runs.append(wider)
    by_client = {r["client"]: r for r in runs[:2]}
    speedup = by_client["zenpy"]["wall_s"] / by_client["zdlib"]["wall_s"]
    for r in runs:
        r["speedup_vs_zenpy"] = round(by_client["zenpy"]["wall_s"] / r["wall_s"], 2)
    target = {
        "goal": "zdlib at least 4x faster than Zenpy",
        "met": speedup >= 4 and by_client["zdlib"]["correct"],
        "measured": f"{speedup:.2f}x",
    }
    settings = {"updates": count, "latency_ms": LATENCY_MS, "rate_limit": "1,000,000/60 s"}
    return {
        "workload": "latency_writes",
        "title": "2. Latency-bound writes",
        "cases": [{"settings": settings, "runs": runs, "target": target}],
    }
