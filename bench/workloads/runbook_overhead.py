"""Workload 5, runbook overhead: `zdlib run inspect_users` against the same calls from a plain script.

Both are timed as whole processes (interpreter start included) against a fresh sandbox each. A third
process runs the runner in-process to say where its time goes (imports, kernel, cells, HTML, scan, publish).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import in_child
from bench.referee import Referee
from bench.sandbox_process import REPO, ZDLIB, SandboxProcess, python_env

SIZES = {"quick": {"users": 2_000}, "standard": {"users": 10_000}}
SIZES["full"] = SIZES["standard"]


def _runner(users: int) -> dict[str, Any]:
    with SandboxProcess(users=users) as box, tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / "bench.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in box.client_env().items()))
        records = Path(folder) / "records"
        started = time.perf_counter()
        done = subprocess.run(
            [str(ZDLIB), "run", "inspect_users", "--env-file", str(env_file), "--records", str(records)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=python_env(),
            timeout=900,
        )
        wall = time.perf_counter() - started
        stats = box.stats()
        users_expected = _user_count(box)
        index = records / "index.jsonl"
        entry = json.loads(index.read_text().splitlines()[-1]) if index.is_file() else {}
        seen = _users_in_record(records, entry)
    return {
        "client": "zdlib run inspect_users",
        "process_wall_s": round(wall, 3),
        "exit": done.returncode,
        "outcome": entry.get("outcome"),
        "requests": stats["total"],
        "rate_limited": stats["rate_limited"],
        "errors": int(done.returncode != 0),
        "users_seen": seen,
        "correct": done.returncode == 0 and entry.get("outcome") == "no-op" and seen == users_expected,
        **({"stderr": done.stderr[-800:]} if done.returncode else {}),
    }


def _user_count(box: SandboxProcess) -> int:
    with Referee(box.client_env()) as referee:
        return referee.user_count()


def _users_in_record(records: Path, entry: dict[str, Any]) -> int | None:
    name = (entry.get("records") or {}).get("ipynb")
    if not name:
        return None
    notebook = json.loads((records / name).read_text())
    return notebook["metadata"].get("zdlib", {}).get("summary", {}).get("facts", {}).get("users")


def _plain(users: int) -> dict[str, Any]:
    with SandboxProcess(users=users) as box:
        started = time.perf_counter()
        result = in_child("bench.zdlib_side:plain_inspect", box.client_env(), {})
        wall = time.perf_counter() - started
        stats = box.stats()
        expected = _user_count(box)
    return {
        "client": "plain script (zdlib)",
        "process_wall_s": round(wall, 3),
        "wall_s": result.get("wall_s"),
        "peak_rss_mb": result.get("peak_rss_mb"),
        "requests": stats["total"],
        "rate_limited": stats["rate_limited"],
        "errors": int("crashed" in result),
        "users_seen": result.get("items_seen"),
        "correct": "crashed" not in result and result.get("items_seen") == expected,
    }


MAX_OVERHEAD_S = 3.0  # issue 12 E

BREAKDOWN = """
import json, sys, tempfile, time
started = time.perf_counter()
from zdlib.runner.run import run_runbook
imports = time.perf_counter() - started
import nbformat
with tempfile.TemporaryDirectory() as folder:
    result = run_runbook("inspect_users", {}, records_dir=folder, env_file=sys.argv[1])
    nb = nbformat.read(result.ipynb, as_version=4)
cells = [c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells if c.cell_type == "code"]
seconds = result.seconds
print(json.dumps({
    "runner imports": imports,
    "kernel launch": seconds["kernel_launch"],
    "kernel boot (waited for) and papermill": seconds["cells"] - sum(cells),
    "first cell (kit imports, connect, header)": cells[1] if len(cells) > 1 else 0,
    "other cells": sum(cells[2:]),
    "outcome and record metadata": seconds.get("outcome", 0),
    "secret scan": seconds.get("scan", 0),
    "HTML export": seconds.get("html", 0),
    "publish and index": seconds.get("publish", 0) + seconds.get("index_page", 0),
    "kernel exit (left after publishing)": seconds["kernel_exit"],
    "in-process total": time.perf_counter() - started,
}))
"""


def _breakdown(users: int) -> dict[str, float]:
    """Where the runner's time goes (seconds per stage), from one in-process run."""
    with SandboxProcess(users=users) as box, tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / "bench.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in box.client_env().items()))
        done = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(env_file)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=python_env(),
            timeout=900,
        )
    if done.returncode:
        return {"error": done.stderr[-400:]}  # type: ignore[dict-item]
    return {name: round(value, 2) for name, value in json.loads(done.stdout.splitlines()[-1]).items()}


REPEATS = 3  # plain and runner alternate; the median of each is compared (the machine is noisy)


def _median_run(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The sample with the median process time, with every sample's time beside it."""
    ordered = sorted(samples, key=lambda r: r["process_wall_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["samples_s"] = [r["process_wall_s"] for r in samples]
    chosen["correct"] = all(r["correct"] for r in samples)
    chosen["errors"] = sum(r["errors"] for r in samples)
    return chosen


def run(mode: str) -> dict[str, Any]:
    users = SIZES[mode]["users"]
    plain: list[dict[str, Any]] = []
    runner: list[dict[str, Any]] = []
    for _ in range(REPEATS):
        plain.append(_plain(users))
        runner.append(_runner(users))
    runs = [_median_run(plain), _median_run(runner)]
    overhead = runs[1]["process_wall_s"] - runs[0]["process_wall_s"]
    for r in runs:
        r["overhead_s"] = round(r["process_wall_s"] - runs[0]["process_wall_s"], 2)
    target = {
        "goal": f"runner adds at most {MAX_OVERHEAD_S:.0f} s",
        "met": overhead <= MAX_OVERHEAD_S,
        "measured": f"runner adds {overhead:.1f} s ({overhead / runs[0]['process_wall_s']:.0%}), "
        f"medians of {REPEATS} alternating runs each",
    }
    return {
        "workload": "runbook_overhead",
        "title": "5. Runbook overhead",
        "cases": [
            {"settings": {"users": users}, "runs": runs, "target": target, "breakdown_s": _breakdown(users)}
        ],
    }
