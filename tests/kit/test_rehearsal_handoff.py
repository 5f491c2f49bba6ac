"""A rehearsal (a run on the proven sandbox) hands off into the sandbox's own folder, never the real one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from zdlib.runbook.handoff import hand_off, read_handoff_file


def test_a_rehearsal_hands_off_into_the_sandbox_folder_only(tmp_path, monkeypatch):
    real, rehearsal = tmp_path / "real", tmp_path / "rehearsal"
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(real))
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(rehearsal))
    monkeypatch.setenv("ZDLIB_RUN_SECRETS", str(tmp_path / "secrets.jsonl"))
    done = hand_off("zendesk oauth", {"access_token": "tok-rehearsal-secret-1"}, "file", {}, sandbox=True)
    assert Path(done.location).parent == rehearsal and not real.exists()
    assert stat.S_IMODE(rehearsal.stat().st_mode) == 0o700
    name = Path(done.location).name
    assert read_handoff_file(name, sandbox=True)["secrets"]["access_token"] == "tok-rehearsal-secret-1"
    real_run = hand_off("zendesk oauth", {"access_token": "tok-real-secret-2"}, "file", {})
    assert Path(real_run.location).parent == real


def test_without_a_proven_sandbox_a_relative_name_is_looked_up_in_the_real_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "real"))
    monkeypatch.setenv("ZDLIB_SANDBOX_KEY", "")  # no key: nothing can prove it is the sandbox
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    with pytest.raises(ValueError) as refused:
        read_handoff_file("missing.json")
    assert str(tmp_path / "real" / "missing.json") in str(refused.value)
