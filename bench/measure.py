"""Run one client's workload in a child process (own interpreter, own peak RSS) and read its result."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.sandbox_process import REPO, python_env


def in_child(
    target: str, env: dict[str, str], params: dict[str, Any], timeout: float = 1800
) -> dict[str, Any]:
    """`target` is `module:function`, called as `function(env, params) -> dict` in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.child", target],
        input=json.dumps({"env": env, "params": params}),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=python_env(),
        timeout=timeout,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    return {"crashed": f"child exited {completed.returncode}: {completed.stderr[-1500:]}"}
