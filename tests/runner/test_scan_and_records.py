"""The secret scan on files, record names, the index and `zdlib records` (no kernel)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from zdlib.runner import records
from zdlib.runner.cli import main_records
from zdlib.runner.credentials import configured_secrets
from zdlib.runner.render import render_html
from zdlib.runner.scan import run_secrets, scan_files

TOKEN = 'pa"ss\\wörd-9Xk2LmQ7'


def test_scan_finds_escaped_and_wrapped_forms(tmp_path):
    secrets = configured_secrets([{"ZENDESK_EMAIL": "ada@example.com", "ZENDESK_PASSWORD": TOKEN}])
    wrapped = base64.encodebytes(f"ada@example.com:{TOKEN}\n".encode() * 2).decode()  # wraps at 76
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("stream", text=f"pw {TOKEN}\n")])])
    leaky_nb, html = tmp_path / "a.ipynb", tmp_path / "a.html"
    nbformat.write(nb, leaky_nb)
    render_html(leaky_nb, html)
    side = tmp_path / "a.backup.json"
    side.write_text(json.dumps({"auth": wrapped}))
    clean = tmp_path / "a.clean.json"
    clean.write_text(json.dumps({"id": 1}))
    hit_paths = {hit.path for hit in scan_files([leaky_nb, html, side, clean], secrets)}
    assert hit_paths == {leaky_nb, html, side}


def test_run_secrets_file(tmp_path):
    file = tmp_path / "s.jsonl"
    file.write_text('{"label": "new token", "value": "abcdefgh12345"}\nnot json but secret-ish\n\n')
    values = {s.value for s in run_secrets(file)}
    assert {"abcdefgh12345", "not json but secret-ish"} <= values
    assert run_secrets(tmp_path / "missing") == []


def test_record_names():
    moment = datetime(2026, 11, 28, 12, 3, 1, tzinfo=UTC)
    assert records.record_name(moment, "deactivate_automation", 12345) == (
        "20261128T120301Z_deactivate_automation_12345"
    )
    assert records.slugify("Acme Corp/EU") == "acme-corp-eu"
    assert records.slugify("") == records.slugify(None) == "all"


def test_index_and_listing(tmp_path, capsys):
    folder = tmp_path / "records"
    entry = {
        "started_at": "2026-11-28T12:03:01Z", "runbook": "deactivate_automation", "target": "12345",
        "outcome": "planned", "operator": {"email": "ada@example.com"},
        "records": {"ipynb": "x.ipynb", "html": "x.html"},
    }  # fmt: skip
    records.append_index(folder, entry)
    records.append_index(folder, {**entry, "outcome": "failed"})
    assert [e["outcome"] for e in records.read_index(folder)] == ["planned", "failed"]
    assert main_records(["--records", str(folder), "--wide"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == list(records.TABLE_COLUMNS)
    assert "ada@example.com" in table[2] and "x.html" in table[2]
    assert "failed" in table[2] and "planned" in table[3]  # newest first, like index.html
    assert main_records(["--records", str(folder), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_the_listing_fits_a_terminal_and_marks_an_unverified_approval(tmp_path, capsys, monkeypatch):
    """First-use F8: 645-character lines, oldest first, no "NOT verified"."""
    folder = tmp_path / "records"
    url = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4243"
    base = {
        "started_at": "2026-11-28T12:03:01Z", "runbook": "create_token", "outcome": "refused",
        "target": "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242" * 3,
        "approval": {"approved_by": "maria.manager", "access_request_url": url, "verified": False},
        "changes": [{"object": "x", "id": 1, "field": "f", "before": "a" * 300, "after": "b", "status": "p"}],
        "records": {"html": "20261128T120301Z_create_token_gitlab-com-team-member-epics.html"},
    }  # fmt: skip
    records.append_index(folder, base)
    records.append_index(
        folder, {**base, "outcome": "applied", "approval": {**base["approval"], "verified": True}}
    )
    for columns in (80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main_records(["--records", str(folder)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) <= columns, lines
        assert lines[0].split() == list(records.NARROW_COLUMNS)
        assert "applied" in lines[2] and "refused" in lines[3]  # newest first
        assert "NOT verified" in lines[3] and "NOT verified" not in lines[2]
        assert "maria.manager #4243" in lines[2] or columns == 80
