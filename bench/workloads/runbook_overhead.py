"""Workload 5, runbook overhead: `zdlib run inspect_users` against the same calls from a plain script.

Both are timed as whole processes (interpreter start included) against a fresh sandbox each.
"""

from __future__ import annotations

import json
import subprocess
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


def run(mode: str) -> dict[str, Any]:
    users = SIZES[mode]["users"]
    runs = [_plain(users), _runner(users)]
    overhead = runs[1]["process_wall_s"] - runs[0]["process_wall_s"]
    for r in runs:
        r["overhead_s"] = round(r["process_wall_s"] - runs[0]["process_wall_s"], 2)
    target = {
        "goal": "(no target: measured)",
        "met": None,
        "measured": f"runner adds {overhead:.1f} s ({overhead / runs[0]['process_wall_s']:.0%})",
    }
    return {
        "workload": "runbook_overhead",
        "title": "5. Runbook overhead",
        "cases": [{"settings": {"users": users}, "runs": runs, "target": target}],
    }
