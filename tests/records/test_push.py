"""Pushing records to the records project, over real HTTP against the sandbox's GitLab look-alike.

The project is read back with python-gitlab directly (not through zdlib), as a reviewer's tools would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import gitlab
import httpx
import pytest

from tests.approval.support import gitlab_faults
from zdlib.runner import records
from zdlib.runner.push import PENDING_DIR, PushState, mark_all, mark_pending, pending_names, push_pending
from zdlib.runner.remote import RemoteError, remote_settings
from zdlib.sandbox.gitlab.repository import RECORDS_PROJECT_PATH
from zdlib.sandbox.server import SandboxServer

pytestmark = pytest.mark.usefixtures("head_key")


@pytest.fixture
def head_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(records.HEAD_KEY_VARIABLE, str(tmp_path / "head.key"))


def env(sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    keep = ("GITLAB_URL", "GITLAB_TOKEN", "ZDLIB_RECORDS_PROJECT")
    return {**{k: sandbox.env[k] for k in keep}, **extra}


def publish_fake_run(folder: Path, name: str, body: str = "ok", **fields: Any) -> dict[str, Any]:
    """A published run as the publisher leaves it: read-only files, and the index line vouching for them."""
    records.ensure_records_dir(folder)
    files = {f"{name}.ipynb": json.dumps({"cells": [], "note": body}), f"{name}.html": f"<p>{body}</p>"}
    for file, text in files.items():
        (folder / file).write_text(text)
    hashes = {file: records.sha256_file(folder / file) for file in files}
    entry = {"name": name, "runbook": "deactivate_automation", "target": "12345", "outcome": "applied",
             "records": {"ipynb": f"{name}.ipynb", "html": f"{name}.html", "side_files": []},
             "sha256": hashes[f"{name}.ipynb"], "hashes": hashes, **fields}  # fmt: skip
    return records.append_index(folder, entry)


def project(sandbox: SandboxServer) -> Any:
    gl = gitlab.Gitlab(
        sandbox.env["GITLAB_URL"], private_token=sandbox.env["GITLAB_TOKEN"], keep_base_url=True
    )
    return gl.projects.get(RECORDS_PROJECT_PATH)


def remote_file(sandbox: SandboxServer, path: str) -> bytes:
    return project(sandbox).files.raw(file_path=path, ref="main")


def remote_index(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return [json.loads(line) for line in remote_file(sandbox, "index.jsonl").decode().splitlines()]


def push(sandbox: SandboxServer, folder: Path, **extra: str):
    settings = remote_settings(env(sandbox, **extra))
    assert settings is not None
    return push_pending(folder, settings)


def test_a_run_lands_in_one_commit_with_matching_sha256_and_its_index_line(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    written = publish_fake_run(folder, "20261204T120000Z_deactivate_automation_12345")
    mark_pending(folder, written["name"])
    [outcome] = push(fresh_sandbox, folder)
    assert outcome.state is PushState.LANDED, outcome
    for file, digest in written["hashes"].items():
        assert hashlib.sha256(remote_file(fresh_sandbox, file)).hexdigest() == digest
    local_line = (folder / "index.jsonl").read_text().splitlines()[-1]
    assert remote_file(fresh_sandbox, "index.jsonl").decode().splitlines() == [local_line]
    assert written["name"] in remote_file(fresh_sandbox, "index.html").decode()
    commits = project(fresh_sandbox).commits.list(get_all=True)
    assert [c.id for c in commits] == [outcome.commit]  # one atomic commit
    assert "deactivate_automation on 12345, outcome applied" in commits[0].message
    assert outcome.urls["html"].endswith(f"/{RECORDS_PROJECT_PATH}/-/blob/main/{written['name']}.html")
    assert pending_names(folder) == []


def test_a_failed_push_stays_pending_and_lands_exactly_once_later(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    first = publish_fake_run(folder, "20261204T120000Z_a_1")
    second = publish_fake_run(folder, "20261204T120100Z_a_2")
    mark_pending(folder, second["name"])
    mark_pending(folder, first["name"])
    gitlab_faults(fresh_sandbox, status=503)
    outcomes = push(fresh_sandbox, folder)
    assert [o.state for o in outcomes] == [PushState.PENDING, PushState.PENDING]
    assert "503" in outcomes[0].detail
    assert pending_names(folder) == [first["name"], second["name"]]  # oldest first
    gitlab_faults(fresh_sandbox, status=None)
    assert [o.state for o in push(fresh_sandbox, folder)] == [PushState.LANDED, PushState.LANDED]
    assert [e["name"] for e in remote_index(fresh_sandbox)] == [first["name"], second["name"]]
    mark_all(folder)  # pushing everything again commits nothing twice
    assert [o.state for o in push(fresh_sandbox, folder)] == [PushState.PRESENT, PushState.PRESENT]
    assert len(project(fresh_sandbox).commits.list(get_all=True)) == 2


def test_a_commit_raced_by_another_is_retried_with_the_line_appended_again(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    publish_fake_run(folder, "20261204T110000Z_a_0")
    mark_all(folder)
    push(fresh_sandbox, folder)
    written = publish_fake_run(folder, "20261204T120000Z_a_1")
    mark_pending(folder, written["name"])
    key = {"X-Sandbox-Key": fresh_sandbox.env["ZDLIB_SANDBOX_KEY"]}
    httpx.post(fresh_sandbox.url + "/sandbox/gitlab/records/interpose", json={"commits": 1}, headers=key)
    [outcome] = push(fresh_sandbox, folder)
    assert outcome.state is PushState.LANDED
    names = [e["name"] for e in remote_index(fresh_sandbox)]
    assert names[0] == "20261204T110000Z_a_0" and names[-1] == written["name"]
    assert names[1].startswith("interposed_other_operator_run")  # the other operator's line is kept


def test_two_operators_pushing_at_once_both_land(fresh_sandbox: SandboxServer, tmp_path: Path) -> None:
    folders = [tmp_path / "ada", tmp_path / "bob"]
    for number, folder in enumerate(folders):
        mark_pending(
            records.ensure_records_dir(folder), publish_fake_run(folder, f"20261204T12000{number}Z_r")["name"]
        )
    results: list[Any] = []
    threads = [threading.Thread(target=lambda f=f: results.extend(push(fresh_sandbox, f))) for f in folders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.state for o in results) == [PushState.LANDED, PushState.LANDED]
    assert sorted(e["name"] for e in remote_index(fresh_sandbox)) == [
        "20261204T120000Z_r",
        "20261204T120001Z_r",
    ]


def test_a_name_already_in_the_project_with_another_sha256_is_refused_not_overwritten(
    fresh_sandbox: SandboxServer, tmp_path: Path
) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    name = "20261204T120000Z_deactivate_automation_12345"
    mark_pending(records.ensure_records_dir(theirs), publish_fake_run(theirs, name, "theirs")["name"])
    push(fresh_sandbox, theirs)
    mark_pending(records.ensure_records_dir(mine), publish_fake_run(mine, name, "mine")["name"])
    [outcome] = push(fresh_sandbox, mine)
    assert outcome.state is PushState.REFUSED
    assert "another sha256" in outcome.detail and "not overwritten" in outcome.detail
    assert b"theirs" in remote_file(fresh_sandbox, f"{name}.html")
    assert pending_names(mine) == [name]  # still marked: it is shown until someone looks


def test_no_secret_reaches_the_project(fresh_sandbox: SandboxServer, tmp_path: Path) -> None:
    """Real secret values: a record holding the records token (ZDLIB_RECORDS_TOKEN, the one GitLab accepts)
    or the approval token (GITLAB_TOKEN, a configured secret) is refused; no file or commit holds either."""
    records_token, approval_token = fresh_sandbox.env["GITLAB_TOKEN"], "glpat-" + "Appr0valT0ken" * 2
    folder = tmp_path / "records"
    publish_fake_run(folder, "20261204T120000Z_leak_a", f"token {records_token}")
    publish_fake_run(folder, "20261204T120030Z_leak_b", f"token {approval_token}")
    publish_fake_run(folder, "20261204T120040Z_leak_c", target=f"t {approval_token}")  # in the index line
    clean = publish_fake_run(folder, "20261204T120100Z_clean")
    mark_all(folder)
    settings = remote_settings(
        env(fresh_sandbox, GITLAB_TOKEN=approval_token, ZDLIB_RECORDS_TOKEN=records_token)
    )
    assert (
        settings is not None and approval_token not in repr(settings) and records_token not in repr(settings)
    )
    outcomes = push_pending(folder, settings, [approval_token])
    assert [o.state for o in outcomes] == [*[PushState.REFUSED] * 3, PushState.LANDED]
    assert all("holds a configured secret" in o.detail for o in outcomes[:3])
    assert "its index line holds" in outcomes[2].detail
    proj = project(fresh_sandbox)
    texts = [remote_file(fresh_sandbox, t["path"]) for t in proj.repository_tree(get_all=True)]
    texts += [c.message.encode() for c in proj.commits.list(get_all=True)]
    assert len(texts) == 5  # the clean run's two files, index.jsonl, index.html, one commit
    for secret in (records_token, approval_token, fresh_sandbox.env["ZDLIB_SANDBOX_KEY"]):
        assert not any(secret.encode() in text for text in texts)
        assert not any(secret in str(o) for o in outcomes)
    assert clean["name"] not in pending_names(folder) and len(pending_names(folder)) == 3


def test_the_records_token_is_used_over_gitlab_token(fresh_sandbox: SandboxServer, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    mark_pending(folder, publish_fake_run(folder, "20261204T120000Z_x")["name"])
    [outcome] = push(fresh_sandbox, folder, ZDLIB_RECORDS_TOKEN="glpat-wrongwrongwrongwrong")
    assert outcome.state is PushState.PENDING and "401" in outcome.detail
    assert "glpat-wrong" not in outcome.detail
    assert (folder / PENDING_DIR / "20261204T120000Z_x").is_file()


def test_settings_name_what_is_missing() -> None:
    assert remote_settings({}) is None
    with pytest.raises(RemoteError, match="GITLAB_URL is not"):
        remote_settings({"ZDLIB_RECORDS_PROJECT": "team/records", "PYTHON_DOTENV_DISABLED": "1"})


def test_the_look_alike_refuses_as_gitlab_documents(fresh_sandbox: SandboxServer) -> None:
    """Commits API: 400 on creating an existing file, on a stale last_commit_id; base64 content kept."""
    proj = project(fresh_sandbox)
    data = base64.b64encode(b"\x00binary\xff").decode()
    action = {"action": "create", "file_path": "a.bin", "content": data, "encoding": "base64"}
    first = proj.commits.create({"branch": "main", "commit_message": "one", "actions": [action]})
    assert proj.files.raw(file_path="a.bin", ref="main") == b"\x00binary\xff"
    with pytest.raises(gitlab.exceptions.GitlabCreateError, match="already exists"):
        proj.commits.create({"branch": "main", "commit_message": "two", "actions": [action]})
    update = {"action": "update", "file_path": "a.bin", "content": "x", "last_commit_id": first.id}
    proj.commits.create({"branch": "main", "commit_message": "three", "actions": [update]})
    with pytest.raises(gitlab.exceptions.GitlabCreateError, match="changed since"):
        proj.commits.create({"branch": "main", "commit_message": "four", "actions": [update]})
    with pytest.raises(gitlab.exceptions.GitlabGetError, match="File Not Found"):
        proj.files.get(file_path="missing", ref="main")
    assert [c.message for c in proj.commits.list(get_all=True)] == ["three", "one"]


# -- zdlib records push / verify --remote (the CLI, in-process, against the look-alike) ----------------
@pytest.fixture
def cli_env(fresh_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    for name, value in env(fresh_sandbox).items():
        monkeypatch.setenv(name, value)
    return fresh_sandbox


def records_cli(folder: Path, *args: str) -> int:
    from zdlib.runner.cli import main_records

    return main_records([*args, "--records", str(folder)])


def test_push_all_sends_records_from_before_and_verify_remote_agrees(
    cli_env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "records"
    for number in range(3):
        publish_fake_run(folder, f"20261204T12000{number}Z_old")  # published before pushing existed
    assert records_cli(folder, "push") == 0 and "nothing to push" in capsys.readouterr().out
    assert records_cli(folder, "push", "--all") == 0
    assert capsys.readouterr().out.count(": landed https://gitlab.com/") == 3
    assert records_cli(folder, "verify", "--remote") == 0
    assert "hold the same index lines and files" in capsys.readouterr().out
    assert records_cli(folder, "list", "--all") == 2  # a flag of another command is a usage error


def test_verify_remote_names_an_edited_last_line_a_deleted_file_and_one_sided_records(
    cli_env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, other = tmp_path / "records", tmp_path / "other"
    first = publish_fake_run(folder, "20261204T120000Z_a")
    last = publish_fake_run(folder, "20261204T120100Z_b")
    assert records_cli(folder, "push", "--all") == 0
    proj = project(cli_env)
    deleted = f"{first['name']}.html"
    proj.commits.create(
        {"branch": "main", "commit_message": "rm", "actions": [{"action": "delete", "file_path": deleted}]}
    )
    index = folder / "index.jsonl"
    lines = index.read_text().splitlines()
    lines[-1] = lines[-1].replace('"applied"', '"failed"')  # the newest line, edited after its push (M4)
    index.write_text("\n".join(lines) + "\n")
    publish_fake_run(other, "20261204T130000Z_theirs")
    mark_all(other)
    push_pending(other, remote_settings())  # type: ignore[arg-type]
    local_only = publish_fake_run(folder, "20261204T140000Z_local")  # published while pushing was off
    capsys.readouterr()
    assert records_cli(folder, "verify", "--remote") == 1
    said = capsys.readouterr().err
    assert f"{last['name']}: its index line differs" in said
    assert f"{deleted}: missing in the project" in said
    assert "20261204T130000Z_theirs: only in the project's index" in said
    assert f"{local_only['name']}: only in the local index (never pushed, or removed)" in said
    mark_pending(folder, local_only["name"])
    assert records_cli(folder, "verify", "--remote") == 1
    assert "only in the local index (pending push" in capsys.readouterr().err


def test_zdlib_records_shows_what_stays_pending(cli_env: SandboxServer, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "records"
    mark_pending(folder, publish_fake_run(folder, "20261204T120000Z_p")["name"])
    gitlab_faults(cli_env, status=502)
    assert records_cli(folder) == 0  # the listing itself works
    assert "not yet in the records project: 20261204T120000Z_p: pending" in capsys.readouterr().err
    gitlab_faults(cli_env, status=None)
    assert records_cli(folder, "push") == 0 and pending_names(folder) == []
