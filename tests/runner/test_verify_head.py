"""`zdlib records verify` vouches for the newest line too, and names what no line lists (issue 19;
security re-test 2026-12-04 M4, L6). Real runs of the contract notebook publish the records."""

from __future__ import annotations

import json
import os

import pytest

from tests.runner.conftest import CONTRACT
from zdlib.runner import run_runbook
from zdlib.runner.cli import main_records
from zdlib.runner.records import HEAD_NAME, line_hash, verify


@pytest.fixture
def two_runs(isolated_env, records_dir):
    run_runbook(CONTRACT, {"target_id": 1}, records_dir=records_dir)
    second = run_runbook(CONTRACT, {"target_id": 2}, records_dir=records_dir)
    assert verify(records_dir) == (2, None)
    index = records_dir / "index.jsonl"
    os.chmod(index, 0o600)
    return records_dir, index, second


def rewrite_last(index, **changes) -> str:
    lines = index.read_text().splitlines()
    last = json.loads(lines[-1])
    last.update(changes)
    lines[-1] = json.dumps(last)
    index.write_text("\n".join(lines) + "\n")
    return lines[-1]


def test_an_edit_of_the_last_line_is_found(two_runs, capsys):
    records_dir, index, _ = two_runs
    rewrite_last(index, outcome="no-op", operator={"name": "Bob Builder"})
    assert main_records(["verify", "--records", str(records_dir)]) == 1
    err = capsys.readouterr().err
    assert "index line 2" in err and "the newest line was edited, removed or added" in err


def test_a_duplicate_key_in_the_last_line_is_found(two_runs):
    records_dir, index, _ = two_runs
    lines = index.read_text().splitlines()
    lines[-1] = lines[-1].replace('"outcome": ', '"outcome": "no-op", "outcome": ', 1)
    index.write_text("\n".join(lines) + "\n")
    _, problem = verify(records_dir)
    assert problem is not None and "newest line" in problem.problem


def test_a_head_rewritten_without_its_key_is_found(two_runs):
    records_dir, index, _ = two_runs
    line = rewrite_last(index, outcome="no-op")
    head = records_dir / HEAD_NAME
    forged = {**json.loads(head.read_text()), "last_line_sha256": line_hash(line)}
    head.write_text(json.dumps(forged))
    _, problem = verify(records_dir)
    assert problem is not None and "does not carry its own check" in problem.problem


def test_stray_files_and_linked_records_are_named(two_runs, tmp_path):
    records_dir, _, second = two_runs
    (records_dir / "20261128T120000Z_delete_automation_99999.html").write_text("<p>applied</p>")
    (records_dir / f"{second.name}.snapshot-automation-1.json").write_text("{}")
    copy = tmp_path / "outside.ipynb"
    copy.write_bytes(second.ipynb.read_bytes())
    os.chmod(second.ipynb, 0o600)
    second.ipynb.unlink()
    second.ipynb.symlink_to(copy)  # same bytes, same sha256: only the link gives it away
    _, problem = verify(records_dir)
    assert problem is not None
    assert "20261128T120000Z_delete_automation_99999.html has no index line" in problem.problem
    assert f"{second.name}.snapshot-automation-1.json has no index line" in problem.problem
    assert f"{second.ipynb.name} is a link, not a published file" in problem.problem
