"""Publishing: every run ends in a record (same-second runs, killed runners); private files, chained index."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.runner.conftest import CONTRACT
from zdlib.record.channel import GROUP_READABLE_VARIABLE
from zdlib.runner import run_runbook
from zdlib.runner.cli import main_records
from zdlib.runner.records import read_index, verify

# one runner, started with its clock fixed, so two of them reserve a name in the same second
FIXED_CLOCK_RUNNER = """
import sys
from datetime import UTC, datetime
import zdlib.runner.run as run

class Fixed(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 11, 28, 12, 3, 1, tzinfo=UTC)

run.datetime = Fixed
from zdlib.runner.cli import main_run
sys.exit(main_run(sys.argv[1:]))
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.e2e  # two `zdlib run` subprocesses
def test_two_runs_of_one_target_in_the_same_second_are_both_published(isolated_env, records_dir):
    command = [sys.executable, "-c", FIXED_CLOCK_RUNNER, str(CONTRACT), "-p", "target_id", "42"]
    command += ["--records", str(records_dir)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    entries = read_index(records_dir)
    names = sorted(entry["records"]["ipynb"] for entry in entries)
    assert names == ["20261128T120301Z_contract_42-2.ipynb", "20261128T120301Z_contract_42.ipynb"]
    assert all((records_dir / name).is_file() for name in names)
    assert verify(records_dir) == (2, None)


def test_records_are_private_by_default(isolated_env, records_dir):
    result = run_runbook(CONTRACT, {"target_id": 1}, records_dir=records_dir)
    assert mode(records_dir) == 0o700
    for path in (result.ipynb, result.html, *result.side_files):
        assert mode(path) == 0o400, path
    assert mode(records_dir / "index.jsonl") == 0o600


def test_group_readable_records_for_a_team_share(isolated_env, records_dir, monkeypatch):
    monkeypatch.setenv(GROUP_READABLE_VARIABLE, "1")
    result = run_runbook(CONTRACT, {"target_id": 1}, records_dir=records_dir)
    assert mode(records_dir) == 0o750
    assert mode(result.ipynb) == 0o440 and mode(records_dir / "index.jsonl") == 0o640
    assert mode(records_dir / ".staging") == 0o700


def test_the_index_chain_names_the_first_tampered_line(isolated_env, records_dir, capsys):
    first = run_runbook(CONTRACT, {"target_id": 1}, records_dir=records_dir)
    run_runbook(CONTRACT, {"target_id": 2}, records_dir=records_dir)
    run_runbook(CONTRACT, {"target_id": 3}, records_dir=records_dir)
    assert main_records(["verify", "--records", str(records_dir)]) == 0
    index = records_dir / "index.jsonl"
    lines = index.read_text().splitlines()
    os.chmod(index, 0o600)
    edited = json.loads(lines[0])
    edited["outcome"] = "applied"  # someone rewrites history
    index.write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n")
    assert main_records(["verify", "--records", str(records_dir)]) == 1
    assert "index line 2:" in capsys.readouterr().err  # the line after the edited one breaks the chain

    index.write_text("\n".join([lines[0], lines[2]]) + "\n")  # a line removed
    _, problem = verify(records_dir)
    assert problem is not None and problem.line == 2

    index.write_text("\n".join(lines[:2]) + "\n")  # the last line removed: the head says there were 3
    _, problem = verify(records_dir)
    assert (
        problem is not None and problem.line == 2 and "the newest line was edited, removed" in problem.problem
    )

    index.write_text("\n".join(lines) + "\n")
    assert verify(records_dir) == (3, None)
    os.chmod(first.ipynb, 0o600)
    first.ipynb.write_text(first.ipynb.read_text().replace("planned", "applied"))
    _, problem = verify(records_dir)
    assert problem is not None and problem.line == 1 and first.ipynb.name in problem.problem


@pytest.mark.e2e  # a `zdlib run` subprocess
def test_a_killed_runner_is_recovered_by_the_next_records_command(isolated_env, records_dir, capsys):
    command = [sys.executable, "-m", "zdlib", "run", str(CONTRACT), "-p", "target_id", "12349"]
    command += ["-p", "hold", "60", "-p", "create_secret", "true", "--records", str(records_dir)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(records_dir.glob(".staging/*/*.checkpoint.json")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    staged = next(records_dir.glob(".staging/*"))
    assert (staged / "run-secrets.jsonl").read_text(), "the run registered its secret"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert read_index(records_dir) == []

    assert main_records(["--records", str(records_dir)]) == 0
    [entry] = read_index(records_dir)
    assert entry["outcome"] == "interrupted"
    assert "the DELETE of automation 12349 was sent; its answer was not seen" in entry["reason"]
    assert "killed" in entry["reason"]
    assert any(name.endswith(".snapshot.json") for name in entry["records"]["side_files"])
    assert (records_dir / entry["records"]["ipynb"]).is_file()
    assert not staged.exists() and not list(records_dir.rglob("run-secrets.jsonl"))
    assert "published a run a stopped runner left behind" in capsys.readouterr().err
    assert main_records(["recover", "--records", str(records_dir)]) == 0  # nothing left: a no-op
    assert len(read_index(records_dir)) == 1


@pytest.mark.parametrize("argument", ["/nonexistent/stage", "."])
def test_publish_refuses_what_is_not_a_stage(isolated_env, argument, capsys):
    assert main_records(["publish", argument]) == 2
    assert "is not a staged run" in capsys.readouterr().err
