"""`zdlib campaign` on a records folder written as runs write it (`append_index`, a `campaign.json` built by
`zdlib.campaign.report.build`): the newest kept report, checked against its index line; a changed file is
refused; what Zendesk returned (a token's description) is shown inert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from zdlib.campaign.evidence import ListedToken, TokenEvidence
from zdlib.campaign.report import RUNBOOK, SIDE_FILE, build
from zdlib.campaign.states import derive
from zdlib.runner import campaign_cli, records

AS_OF = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
INSTANCE = "https://acme.zendesk.com"
HOSTILE = "Export\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\noutcome: applied\u202eyxes\r"
UNSAFE = ("\x1b", "\x07", "\u202e", "\r")


def listed(token_id: int, description: str, *, active: bool = True, idle_days: int = 1) -> TokenEvidence:
    created = AS_OF - timedelta(days=400)
    last_used = AS_OF - timedelta(days=idle_days)
    entry = ListedToken(token_id, description, active, created, last_used, last_used)
    return TokenEvidence(token_id, entry)


def report_at(as_of: datetime, record: str) -> dict[str, Any]:
    evidence = [
        listed(2, "Reporting export https://gitlab.com/acme/access-requests/-/issues/102"),
        listed(3, HOSTILE),
        listed(4, "Old Zapier zap", active=False, idle_days=45),
    ]
    return build([(ev, derive(ev, as_of)) for ev in evidence], as_of, instance=INSTANCE, record=record)


def keep_run(folder: Path, runbook: str, at: datetime, report: dict[str, Any] | None = None) -> str:
    """One run's record, its side file (when it kept a report) and its index line, as publish writes them."""
    name = f"{at:%Y%m%dT%H%M%SZ}_{runbook}_acme"
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{name}.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})}
    if report is not None:
        files[f"{name}.{SIDE_FILE}"] = json.dumps(report, indent=2, ensure_ascii=False)
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    stamp = records.iso_utc(at)
    records.append_index(
        folder,
        {
            "name": name,
            "runbook": runbook,
            "version": "1.0.0",
            "target": INSTANCE,
            "parameters": {"dry_run": True},
            "mode": "dry-run",
            "operator": "ada@example.com",
            "instance": INSTANCE,
            "sandbox": False,
            "approval": None,
            "started_at": stamp,
            "finished_at": stamp,
            "instance_started_at": stamp,
            "outcome": "no-op",
            "reason": "",
            "changes": [],
            "request_ids": [],
            "records": {"ipynb": f"{name}.ipynb", "html": None, "side_files": list(files)[1:]},
            "hashes": {file: records.sha256_file(folder / file) for file in files},
            "secret_hits": 0,
        },
    )
    return name


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An older campaign run, a create_token run, the newest campaign run, and a later run keeping none."""
    monkeypatch.setenv(records.HEAD_KEY_VARIABLE, str(tmp_path / "head.key"))
    monkeypatch.setenv("COLUMNS", "100")
    path = tmp_path / "records"
    old = AS_OF - timedelta(days=7)
    keep_run(path, RUNBOOK, old, report_at(old, "older"))
    keep_run(path, "create_token", AS_OF - timedelta(days=1))
    newest = keep_run(path, RUNBOOK, AS_OF, report_at(AS_OF, "newest"))
    keep_run(path, RUNBOOK, AS_OF + timedelta(hours=1))
    assert records.verify(path) == (4, None)
    return path / newest


def kept(record: Path) -> Path:
    return record.with_name(f"{record.name}.{SIDE_FILE}")


def test_json_prints_the_newest_kept_report_unchanged(folder: Path, capsys: pytest.CaptureFixture) -> None:
    assert campaign_cli.main(["--json", "--records", str(folder.parent)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == json.loads(kept(folder).read_text()) == report_at(AS_OF, "newest")
    assert not any(c in out for c in UNSAFE)  # the description's controls as JSON escapes


def test_the_table_states_the_campaign_and_fits_the_terminal(
    folder: Path, capsys: pytest.CaptureFixture
) -> None:
    report = report_at(AS_OF, "newest")
    assert campaign_cli.main(["--records", str(folder.parent)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    left = (date(2027, 4, 30) - AS_OF.date()).days
    stops = f"every API token stops on 2027-04-30 ({left} days left)"
    assert lines[0] == f"API-token campaign as of 2026-12-04T12:00:00Z; {stops}"
    counts = {state: n for state, n in report["counts"].items() if n}
    assert lines[1] == ", ".join(f"{n} {state}" for state, n in counts.items())
    assert lines[2] == f"from record {folder.name}"
    assert lines[4].split() == ["id", "description", "state", "since", "next", "at", "risk"]
    assert len(lines) == 6 + len(report["tokens"]) and all(len(line) <= 100 for line in lines)
    for line, token in zip(lines[6:], report["tokens"], strict=True):
        assert line.split()[0] == str(token["id"]) and f" {token['state']} " in line
        assert (token["since"] or "")[:10] in line and str(token["next"]["who"]) in line


def test_a_hostile_description_is_shown_inert(folder: Path, capsys: pytest.CaptureFixture) -> None:
    assert campaign_cli.main(["--records", str(folder.parent)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in UNSAFE)
    row = next(line for line in out.splitlines() if line.startswith("3 "))
    assert row.split()[1].startswith("Export\\x1b[2J\\x1b]8;;")  # one row: the newline is a space
    assert not any(line.startswith("outcome: applied") for line in out.splitlines())


def test_a_changed_report_is_refused(folder: Path, capsys: pytest.CaptureFixture) -> None:
    side = kept(folder)
    side.write_text(side.read_text().replace('"inventoried"', '"done"'))
    assert campaign_cli.main(["--records", str(folder.parent)]) == 1
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and "does not verify" in captured.err
        and "does not match its sha256" in captured.err
    )
    assert "zdlib records verify" in captured.err


def test_an_index_line_rewritten_to_match_is_refused(folder: Path, capsys: pytest.CaptureFixture) -> None:
    side = kept(folder)
    side.write_text(side.read_text().replace('"inventoried"', '"done"'))
    index = folder.parent / records.INDEX_NAME
    lines = index.read_text().splitlines()
    entry = json.loads(lines[2])
    entry["hashes"][side.name] = records.sha256_file(side)
    lines[2] = json.dumps(entry, ensure_ascii=False)
    index.write_text("\n".join(lines) + "\n")
    assert campaign_cli.main(["--json", "--records", str(folder.parent)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "index line 4" in captured.err  # the next line's chain no longer matches


def test_without_a_campaign_record_it_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "records"
    assert campaign_cli.main(["--records", str(empty)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"zdlib campaign: no {RUNBOOK} record yet in {empty}: run `zdlib run {RUNBOOK}`"
    )


def zdlib(*args: str) -> subprocess.CompletedProcess[str]:
    """The `zdlib` command in its own process (its output wrapped as a terminal gets it)."""
    return subprocess.run(
        [sys.executable, "-m", "zdlib", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def test_the_zdlib_command_prints_it(folder: Path, tmp_path: Path) -> None:
    assert "campaign  the API-token campaign" in zdlib("--help").stdout
    assert "--json" in zdlib("campaign", "--help").stdout
    table = zdlib("campaign", "--records", str(folder.parent))
    assert table.returncode == 0, table.stderr
    assert f"from record {folder.name}" in table.stdout and not any(c in table.stdout for c in UNSAFE)
    printed = zdlib("campaign", "--json", "--records", str(folder.parent))
    assert printed.returncode == 0 and json.loads(printed.stdout) == report_at(AS_OF, "newest")
    missing = zdlib("campaign", "--records", str(tmp_path / "none"))
    assert missing.returncode == 1 and "run `zdlib run migrate_api_tokens`" in missing.stderr
