"""Every secret the run knows is scanned whatever its length; short ones as whole tokens (issue 9 E)."""

from __future__ import annotations

import json
from pathlib import Path

from zdlib.runner.credentials import configured_secrets, occurs_in
from zdlib.runner.scan import run_secrets, scan_data, scan_files


def test_a_short_configured_password_is_found_as_a_whole_token(tmp_path: Path) -> None:
    secrets = configured_secrets([{"ZENDESK_EMAIL": "a@example.com", "ZENDESK_PASSWORD": "Pw7x!"}])
    assert any(s.value == "Pw7x!" for s in secrets)
    leaked = tmp_path / "record.ipynb"
    leaked.write_text(json.dumps({"cells": [{"source": ["the password is Pw7x! (oops)"]}]}))
    clean = tmp_path / "other.html"
    clean.write_text("<p>XPw7x!Y is not it</p>")
    hits = scan_files([leaked, clean], secrets)
    assert {hit.path for hit in hits} == {leaked}


def test_a_short_run_secret_is_scanned(tmp_path: Path) -> None:
    secrets_file = tmp_path / "run-secrets.jsonl"
    secrets_file.write_text(json.dumps({"label": "pin", "value": "4821"}) + "\n")
    secrets = run_secrets(secrets_file)
    assert [s.value for s in secrets] == ["4821"]
    assert scan_data({"reason": "PIN 4821 was shown"}, secrets) == ["run secret 'pin'"]
    assert scan_data({"reason": "request 148210 is fine"}, secrets) == []


def test_occurs_in() -> None:
    assert occurs_in("ab1", "x ab1.") and not occurs_in("ab1", "xab12")
    assert occurs_in("a-long-secret-value", "prefixa-long-secret-valuesuffix")
