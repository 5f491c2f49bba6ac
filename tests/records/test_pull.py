"""`zdlib records pull`: a scheduled job's empty records folder gets the records project's runs, every file
checked against its index line before anything is written; a diverged or tampered copy is refused."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.records.test_push import env, head_key, project, publish_fake_run, push  # noqa: F401
from zdlib.runner import records
from zdlib.runner.pull import PullRefused, pull
from zdlib.runner.push import mark_all
from zdlib.runner.remote import RecordsProject, remote_settings
from zdlib.sandbox.server import SandboxServer

pytestmark = pytest.mark.usefixtures("head_key")


def records_project(sandbox: SandboxServer) -> RecordsProject:
    settings = remote_settings(env(sandbox))
    assert settings is not None
    return RecordsProject(settings)


def pushed_runs(sandbox: SandboxServer, folder: Path, count: int) -> list[str]:
    names = [publish_fake_run(folder, f"20261204T12000{i}Z_deactivate_automation_12345")["name"]
             for i in range(count)]  # fmt: skip
    mark_all(folder)
    assert all(o.state.done for o in push(sandbox, folder))
    return names


def test_an_empty_folder_gets_every_run_and_verifies_and_a_second_pull_adds_nothing(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    names = pushed_runs(fresh_sandbox, tmp_path / "laptop", 2)
    job = tmp_path / "job"
    pulled = pull(job, records_project(fresh_sandbox))
    assert pulled.runs == names and pulled.files == 4
    assert (job / "index.jsonl").read_bytes() == (tmp_path / "laptop" / "index.jsonl").read_bytes()
    assert records.verify(job) == (2, None)
    assert pull(job, records_project(fresh_sandbox)).runs == []
    later = publish_fake_run(job, "20261204T130000Z_deactivate_automation_12345")  # the job's own run
    assert records.verify(job) == (3, None) and later["prev_sha256"] == records.line_hash(
        (job / "index.jsonl").read_text().splitlines()[1]
    )


def test_a_diverged_folder_and_a_tampered_project_file_are_refused_with_nothing_written(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    [name] = pushed_runs(fresh_sandbox, tmp_path / "laptop", 1)
    other = tmp_path / "other"
    publish_fake_run(other, "20261204T110000Z_deactivate_automation_12345")
    before = (other / "index.jsonl").read_bytes()
    with pytest.raises(PullRefused, match="diverged"):
        pull(other, records_project(fresh_sandbox))
    assert (other / "index.jsonl").read_bytes() == before

    tampered = f"{name}.html"  # someone edits the project's copy, past the records' index
    data = base64.b64encode(b"<p>changed</p>").decode()
    actions = [{"action": "update", "file_path": tampered, "content": data, "encoding": "base64"}]
    project(fresh_sandbox).commits.create({"branch": "main", "commit_message": "edit", "actions": actions})
    job = tmp_path / "job"
    with pytest.raises(PullRefused, match="does not match its index line"):
        pull(job, records_project(fresh_sandbox))
    assert [p.name for p in job.iterdir() if p.name != ".staging"] == []  # no index, no record file
