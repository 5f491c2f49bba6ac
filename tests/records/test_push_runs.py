"""Runs through the runner push their records: an applied run lands with its comment linking it; a push
that fails leaves the run published and pending, and `zdlib records` lands it once with a follow-up note.

Over real HTTP against the sandbox and its GitLab look-alike; the project and the issue are read back with
python-gitlab (tests/records/test_push.py, tests/approval/support.py), never through the code under test.
"""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from tests.approval.support import notes
from tests.approval.test_runbooks import deactivate
from tests.records.test_push import project, remote_file, remote_index
from tests.runbooks.support import APPLY
from zdlib.runner.push import PushState, pending_names


def records_faults(sandbox, **settings) -> None:
    key = {"X-Sandbox-Key": sandbox.env["ZDLIB_SANDBOX_KEY"]}
    httpx.post(sandbox.url + "/sandbox/gitlab/records/faults", json=settings, headers=key).raise_for_status()


def test_an_applied_run_lands_in_the_records_project_and_its_comment_links_it(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    result = deactivate(fresh_sandbox, records, **APPLY)
    assert result.outcome == "applied", result.reason
    assert result.pushed is not None and result.pushed.state is PushState.LANDED, result.pushed
    line = (records / "index.jsonl").read_text().splitlines()[-1]
    assert remote_file(fresh_sandbox, "index.jsonl").decode().splitlines() == [line]
    for name, digest in json.loads(line)["hashes"].items():
        assert hashlib.sha256(remote_file(fresh_sandbox, name)).hexdigest() == digest
    [note] = notes(fresh_sandbox, 4242)
    assert f"[HTML record]({result.pushed.urls['html']})" in note.body
    assert f"[notebook]({result.pushed.urls['ipynb']})" in note.body
    assert result.pushed.urls["ipynb"].endswith(f"/-/blob/main/{result.ipynb.name}")
    assert result.sha256 in note.body
    assert pending_names(records) == []
    texts = [
        remote_file(fresh_sandbox, t["path"]) for t in project(fresh_sandbox).repository_tree(get_all=True)
    ]
    for variable in ("GITLAB_TOKEN", "ZENDESK_OAUTH_TOKEN", "ZENDESK_API_TOKEN", "ZDLIB_SANDBOX_KEY"):
        assert not any(fresh_sandbox.env[variable].encode() in text for text in texts), variable


def test_a_failed_push_publishes_locally_and_lands_once_with_a_follow_up_note(
    fresh_sandbox, tmp_path, monkeypatch, capsys
):
    records = tmp_path / "records"
    records_faults(fresh_sandbox, status=503)  # the records project is down; Zendesk and the issue are not
    result = deactivate(fresh_sandbox, records, **APPLY)
    assert result.outcome == "applied", result.reason  # the outcome is unchanged
    assert result.pushed is not None and result.pushed.state is PushState.PENDING
    assert "503" in result.pushed.detail
    assert pending_names(records) == [result.name] and result.ipynb.is_file()
    [comment] = notes(fresh_sandbox, 4242)
    assert "not pushed yet (pending)" in comment.body
    records_faults(fresh_sandbox, status=None)

    from zdlib.runner.cli import main_records

    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    for name in ("GITLAB_URL", "GITLAB_TOKEN", "ZDLIB_RECORDS_PROJECT"):
        monkeypatch.setenv(name, fresh_sandbox.env[name])
    assert main_records(["--records", str(records)]) == 0  # the listing sends what is pending
    assert pending_names(records) == []
    assert [e["name"] for e in remote_index(fresh_sandbox)] == [result.name]
    follow = notes(fresh_sandbox, 4242)[-1]
    assert "is now in the records project" in follow.body and result.ipynb.name in follow.body
    assert main_records(["push", "--records", str(records)]) == 0
    assert "nothing to push" in capsys.readouterr().out
    assert len(project(fresh_sandbox).commits.list(get_all=True)) == 1  # landed exactly once
    assert main_records(["verify", "--remote", "--records", str(records)]) == 0


@pytest.mark.parametrize("status", [502])
def test_records_faults_leave_the_access_request_alone(fresh_sandbox, status):
    records_faults(fresh_sandbox, status=status)
    with pytest.raises(Exception, match=str(status)):
        project(fresh_sandbox)
    assert notes(fresh_sandbox, 4242) == []  # the issues project still answers
