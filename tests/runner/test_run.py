"""Real papermill runs of the contract notebook (each starts a kernel: keep this list short)."""

from __future__ import annotations

import base64
import json
import sys
import types
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest

from tests.runner.conftest import CONTRACT
from zdlib.redact import fingerprint
from zdlib.runner import run_runbook
from zdlib.runner.records import read_index, sha256_file


def readable_text(folder: Path) -> str:
    """Everything under the records folder, as text."""
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_planned_run_writes_record_html_side_file_and_index(isolated_env, records_dir):
    result = run_runbook(
        CONTRACT, {"target_id": "42", "labels": '["x"]'}, records_dir=records_dir, hide_input=True
    )
    assert (result.outcome, result.exit_code) == ("planned", 0)
    assert result.ipynb.name.endswith("_contract_42.ipynb") and result.html.is_file()
    assert [p.name.split(".", 1)[1] for p in result.side_files] == ["snapshot.json"]
    [entry] = read_index(records_dir)
    assert entry["sha256"] == sha256_file(result.ipynb)
    assert entry["parameters"] == {"target_id": 42, "labels": ["x"]}
    assert entry["operator"]["email"] == "ada@example.com" and entry["request_ids"] == ["req-1"]
    assert entry["records"]["side_files"] == [result.side_files[0].name]
    summary = nbformat.read(result.ipynb, as_version=4).metadata["zdlib"]["summary"]
    assert summary["outcome"] == "planned" and summary["files"] == [str(result.side_files[0])]
    assert "snapshot.write_text" not in result.html.read_text()  # inputs hidden for reviewers
    assert not result.ipynb.stat().st_mode & 0o222  # written once, read-only


def test_refused_summary_exits_1(isolated_env, records_dir):
    result = run_runbook(CONTRACT, {"target_id": 1, "outcome": "refused"}, records_dir=records_dir)
    assert (result.outcome, result.reason, result.exit_code) == ("refused", "approval missing", 1)


def test_cell_error_before_summary_fails_with_the_error(isolated_env, records_dir):
    result = run_runbook(CONTRACT, {"target_id": 9, "fail": True}, records_dir=records_dir)
    assert (result.outcome, result.exit_code) == ("failed", 1)
    assert result.reason == "LookupError: automation 9 was not found"
    assert read_index(records_dir)[0]["outcome"] == "failed" and result.ipynb.is_file()


@pytest.mark.parametrize("leak", ["raw", "base64_pair"])
def test_a_printed_credential_is_redacted_in_place_and_the_run_fails(isolated_env, records_dir, leak):
    result = run_runbook(CONTRACT, {"target_id": 5, "leak": leak}, records_dir=records_dir)
    assert (result.outcome, result.exit_code) == ("failed", 1)
    assert result.reason.startswith("a secret was found in the record and redacted"), result.reason
    assert "ZENDESK_API_TOKEN" in result.reason
    token = isolated_env["ZENDESK_API_TOKEN"]
    pair = f"{isolated_env['ZENDESK_EMAIL']}/token:{token}"
    text = readable_text(records_dir)
    squashed = "".join(text.split())
    for form in (
        token,
        base64.b64encode(token.encode()).decode()[:40],
        base64.b64encode(pair.encode()).decode()[:40],
    ):
        assert form not in squashed
    # the record is kept, with the secret replaced by its fingerprint and a visible note
    assert result.ipynb.is_file() and result.html.is_file()
    nb = nbformat.read(result.ipynb, as_version=4)
    assert "A secret was found in this record and redacted" in nb.cells[0].source
    if leak == "raw":
        assert f"[secret redacted: ZENDESK_API_TOKEN {fingerprint(token)}]" in result.ipynb.read_text()
    assert nb.metadata["zdlib"]["summary"]["outcome"] == "failed"
    [entry] = read_index(records_dir)
    assert entry["outcome"] == "failed" and entry["reason"] == result.reason
    assert entry["records"]["ipynb"] == result.ipynb.name
    # the trail of the change is kept
    assert entry["changes"][0]["id"] == 5 and entry["request_ids"] == ["req-1"]
    assert entry["operator"]["email"] == "ada@example.com"
    assert not list(records_dir.glob(".staging/*")), "the stage (and its secrets file) is gone"


def test_a_secret_created_in_the_run_is_caught(isolated_env, records_dir):
    result = run_runbook(CONTRACT, {"target_id": 6, "create_secret": True}, records_dir=records_dir)
    assert result.outcome == "failed" and "run secret 'new api token'" in result.reason
    assert "created: [secret redacted: run secret 'new api token' sha256:" in result.ipynb.read_text()


def test_sandbox_env_replaces_configured_instance(isolated_env, records_dir, monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("ZENDESK_OAUTH_TOKEN=real-oauth-token-from-dotenv\n")

    class FakeSandbox:
        url = "http://127.0.0.1:5999"
        env: ClassVar[dict[str, str]] = {
            "ZENDESK_URL": url,
            "ZENDESK_EMAIL": "admin@sandbox.test",
            "ZENDESK_API_TOKEN": "sandbox-token-1",
        }

        def __init__(self, **options: object) -> None: ...
        def __enter__(self) -> FakeSandbox:
            return self

        def __exit__(self, *exc: object) -> None: ...

    monkeypatch.setitem(sys.modules, "zdlib.sandbox.server", types.SimpleNamespace(SandboxServer=FakeSandbox))
    result = run_runbook(CONTRACT, {"target_id": 3}, records_dir=records_dir, sandbox=True)
    assert result.outcome == "planned"
    assert read_index(records_dir)[0]["instance"] == "http://127.0.0.1:5999"
    import os

    assert os.environ["ZENDESK_URL"] == "https://acme.zendesk.com"  # restored after the run
    assert "ZDLIB_RECORD_STEM" not in os.environ
    assert "real-oauth-token-from-dotenv" not in json.dumps(read_index(records_dir))
