"""A run stopped at any moment ends in a published, truthful record, and a re-run completes safely.

Two ways to stop a run are covered:
- the kernel dies between the change and its verification (the sandbox delays every request; the kernel
  is killed once the request after the write has started);
- the runner itself gets SIGINT (to its process group, as Ctrl-C in a terminal), SIGTERM, or SIGKILL
  (then the next `zdlib records` publishes the run it left staged) while the DELETE is held by the
  sandbox's latency.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract import DONE
from tests.matrix.harness import kill_kernel, when_seen
from tests.runbooks.support import admin_env, run_on
from zdlib.runner.cli import main_records
from zdlib.runner.records import read_index, verify
from zdlib.sandbox.server import SandboxServer

WRITE_OF = {
    "deactivate_automation": "PUT /api/v2/automations/{id}",
    "delete_automation": "DELETE /api/v2/automations/{id}",
    "restore_automation": "POST /api/v2/automations",
}
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("runbook", WRITE_OF)
def test_interrupted_between_change_and_verification(box, api, records, matrix_specs, runbook: str) -> None:
    spec = matrix_specs[runbook]
    box.control.set_faults(latency_ms=400)
    with when_seen(box, WRITE_OF[runbook], kill_kernel, then_next=True) as fired:
        interrupted = run_on(box, records, runbook, spec.apply_params())
    assert fired.is_set()
    box.control.set_faults(latency_ms=0)
    assert box.control.stats()["by_endpoint"][WRITE_OF[runbook]] == 1
    assert spec.done(api), "the write was answered before the kill, so the change is in place"
    # the record exists and does not claim a verified change: the last checkpoint speaks
    assert interrupted.ipynb is not None and interrupted.ipynb.is_file()
    assert interrupted.outcome == "interrupted", interrupted.outcome
    assert "changed" in interrupted.reason and "not yet verified" in interrupted.reason, interrupted.reason
    entry = json.loads((records / "index.jsonl").read_text().splitlines()[-1])
    assert entry["records"]["ipynb"] == interrupted.ipynb.name

    rerun = run_on(box, records, runbook, spec.apply_params())
    assert rerun.outcome in DONE, rerun.reason
    assert spec.done(api)
    assert spec.copies(api) == 1, "the re-run created it a second time"
    assert box.control.stats()["by_endpoint"][WRITE_OF[runbook]] == 1, "the re-run wrote again"

    # what is known: the change was sent (and answered) but not verified; the record must say so
    sent = [c for c in entry["changes"] if c.get("status") in ("applied", "pending", "unknown")]
    assert sent, f"the record does not say which change was sent: {entry['reason']!r}, {entry['changes']}"


def start_runner(box: SandboxServer, records: Path, tmp_path: Path, params: dict) -> subprocess.Popen:
    """`zdlib run delete_automation ...` as its own process group (a terminal's job)."""
    env_file = tmp_path / "sandbox.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in admin_env(box).items()))
    arguments = [a for name, value in params.items() for a in ("-p", name, str(value))]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zdlib",
            "run",
            "delete_automation",
            *("--records", str(records)),
            *("--env-file", str(env_file)),
            *arguments,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


STOPS = {
    "SIGINT to the process group": lambda proc: os.killpg(proc.pid, signal.SIGINT),
    "SIGTERM": lambda proc: proc.send_signal(signal.SIGTERM),
    "SIGKILL, then recovery": lambda proc: proc.send_signal(signal.SIGKILL),
}


@pytest.mark.parametrize("stop", STOPS)
def test_a_stopped_runner_publishes_the_held_delete(box, api, records, matrix_specs, tmp_path, stop) -> None:
    spec = matrix_specs["delete_automation"]
    box.control.set_faults(latency_ms=1500)  # the DELETE is held 1.5 s by the sandbox
    proc = start_runner(box, records, tmp_path, spec.apply_params())
    with when_seen(box, WRITE_OF["delete_automation"], lambda: STOPS[stop](proc)) as fired:
        out, err = proc.communicate(timeout=120)
    assert fired.is_set(), (out, err)
    box.control.set_faults(latency_ms=0)
    if stop.startswith("SIGKILL"):
        assert proc.returncode == -signal.SIGKILL
        assert not read_index(records), "nothing is published by a killed runner itself"
        staged = list((records / ".staging").iterdir())
        assert len(staged) == 1 and (staged[0] / "run-secrets.jsonl").exists()
        assert main_records(["--records", str(records)]) == 0  # recovers, then lists
    else:
        assert proc.returncode == 1, (out, err)  # Outcome.INTERRUPTED.exit_code
        assert "outcome: interrupted" in out, out
        assert "[IPKernelApp]" not in out + err and "KeyboardInterrupt caught" not in out + err

    [entry] = read_index(records)
    assert entry["outcome"] == "interrupted"
    assert "was being sent" in entry["reason"] and "its answer was not seen" in entry["reason"], entry
    assert entry["changes"] and entry["changes"][0]["id"] == 12351
    assert entry["operator"]["email"], "the operator is kept"
    snapshots = [name for name in entry["records"]["side_files"] if ".snapshot-automation-12351" in name]
    assert snapshots, entry["records"]
    saved = json.loads((records / snapshots[0]).read_text())
    assert saved["automation"]["id"] == 12351 if "automation" in saved else saved["id"] == 12351
    assert (records / entry["records"]["ipynb"]).is_file()
    assert verify(records) == (1, None)
    # no secret file, stage or kernel left behind
    assert not list(records.rglob("run-secrets.jsonl")), "a secrets file was left behind"
    assert not list((records / ".staging").iterdir())
    assert _no_orphaned_kernel(), "a kernel outlived its runner"

    # the automation's state through the API: whatever it is, a re-run finds it and finishes the job
    rerun = run_on(box, records, "delete_automation", spec.apply_params())
    assert rerun.outcome in DONE, rerun.reason
    assert spec.done(api)
    assert verify(records) == (2, None)


def _no_orphaned_kernel(wait_s: float = 5.0) -> bool:
    """No ipykernel whose runner is gone (re-parented to init) remains, after a short grace period
    (a kernel watches its parent: ipykernel's ParentPollerUnix ends it when the runner dies)."""
    import time

    import psutil

    deadline = time.monotonic() + wait_s
    while True:
        orphans = []
        for process in psutil.process_iter(["cmdline", "ppid"]):
            cmdline = " ".join(process.info["cmdline"] or [])
            if "ipykernel" in cmdline and process.info["ppid"] == 1:
                orphans.append(process.pid)
        if not orphans:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
