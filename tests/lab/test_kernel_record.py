"""A JupyterLab kernel's run leaves its record even when the kernel dies before finish().

No browser: a kernel driven as JupyterLab drives it (jupyter_client), against the test sandbox. The apply
cell runs, then the kernel is killed (SIGKILL): the stage holds the record so far (written after every
cell), and `zdlib records recover` publishes it as `interrupted`, with the snapshot beside it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import nbformat
from jupyter_client.manager import start_new_kernel

from tests.lab.test_browser import parameters_with
from tests.runbooks.support import APPLY, NOTEBOOKS, admin_env, api
from zdlib.runner.lab import lab_environment

RUNBOOK = "deactivate_automation"


def test_a_killed_kernel_leaves_an_interrupted_record_with_its_snapshot(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    env = lab_environment(admin_env(fresh_sandbox), os.environ)
    env.pop("ZDLIB_RECORD_STEM", None)
    env["ZDLIB_RECORDS_DIR"] = str(records)
    template = nbformat.read(NOTEBOOKS / f"{RUNBOOK}.ipynb", as_version=4)
    code = [c.source for c in template.cells if c.cell_type == "code"]
    code[0] = parameters_with(code[0], APPLY)
    until_apply = code[: next(i for i, source in enumerate(code) if "run.apply(" in source) + 1]
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        for source in until_apply:
            reply = client.execute_interactive(source, timeout=120, output_hook=lambda _: None)
            assert reply["content"]["status"] == "ok", source
        assert api(fresh_sandbox, "GET", "/api/v2/automations/12345").json()["automation"]["active"] is False
    finally:
        manager.signal_kernel(signal.SIGKILL)  # no finish(), no atexit
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert not (records / "index.jsonl").exists()
    command = [sys.executable, "-m", "zdlib", "records", "--records", str(records), "recover"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    [entry] = [json.loads(line) for line in (records / "index.jsonl").read_text().splitlines()]
    assert entry["outcome"] == "interrupted" and "not yet verified" in entry["reason"]
    assert entry["changes"][0]["status"] == "applied"
    assert list(records.glob("*.snapshot-automation-12345.json"))
    record = nbformat.read(next(records.glob("*_deactivate_automation_12345.ipynb")), as_version=4)
    assert any("run.apply(" in c.source for c in record.cells if c.cell_type == "code")
