"""The stage layout: reserved names, private folders, owners alive or gone."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime

from zdlib import record

MOMENT = datetime(2026, 11, 28, 12, 3, 1, tzinfo=UTC)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_reserve_makes_a_private_stage_with_meta_and_secrets_file(tmp_path):
    stage = record.reserve(
        tmp_path / "records",
        "deactivate_automation",
        12345,
        MOMENT,
        mode="headless",
        version="1.0.0",
        parameters={"automation_id": 12345},
    )
    assert stage.name == "20261128T120301Z_deactivate_automation_12345"
    assert stage.dir == (tmp_path / "records" / ".staging" / stage.name).resolve()
    assert stage.ipynb.name == f"{stage.name}.ipynb" and stage.stem.parent == stage.dir
    assert mode(tmp_path / "records") == 0o700 and mode(stage.dir) == 0o700
    assert mode(stage.secrets_file) == 0o600 and stage.secrets_file.read_text() == ""
    meta = json.loads(stage.meta_file.read_text())
    assert meta["pid"] == os.getpid() and meta["mode"] == "headless" and meta["target"] == "12345"
    assert meta["parameters"] == {"automation_id": 12345} and meta["started_at"] == "2026-11-28T12:03:01Z"
    assert record.owner_alive(stage)
    record.release(stage)


def test_names_are_never_shared_also_with_published_records(tmp_path):
    records = tmp_path / "records"
    first = record.reserve(records, "rb", 1, MOMENT, mode="headless")
    second = record.reserve(records, "rb", 1, MOMENT, mode="headless")
    assert second.name == first.name + "-2"
    (records / f"{first.name}-3.ipynb").write_text("{}")  # a published record holds -3
    third = record.reserve(records, "rb", 1, MOMENT, mode="headless")
    assert third.name == first.name + "-4"
    for stage in (first, second, third):
        record.release(stage)


def test_reservation_is_exclusive_across_processes(tmp_path):
    records = tmp_path / "records"
    code = (
        "import sys; from datetime import datetime, UTC; from zdlib import record; "
        "m = datetime(2026, 11, 28, 12, 3, 1, tzinfo=UTC); "
        "print(record.reserve(sys.argv[1], 'rb', 7, m, mode='headless').name)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(records)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    names = [p.communicate()[0].strip() for p in procs]
    assert len(set(names)) == 4, names


def test_long_targets_keep_their_start_their_end_and_a_hash():
    url = "https://gitlab.example.com/acme/it/access-requests/-/issues/4242"
    other = "https://gitlab.example.com/acme/it/access-requests/-/issues/4243"
    name = record.record_name(MOMENT, "create_token", url)
    assert "issues-4242-" in name and record.target_slug(url).startswith("acme-it-")  # F17
    assert record.target_slug(url) != record.target_slug(other)
    assert len(record.target_slug(url)) <= record.MAX_TARGET_CHARS
    assert record.target_slug("Acme Corp/EU") == "acme-corp-eu"
    assert record.target_slug(None) == "all"


def test_owner_gone_after_the_process_dies(tmp_path):
    records = tmp_path / "records"
    code = (
        "import sys, os; from datetime import datetime, UTC; from zdlib import record; "
        "s = record.reserve(sys.argv[1], 'rb', 7, datetime.now(UTC), mode='interactive'); "
        "print(s.dir, flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(records)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    folder = proc.stdout.readline().strip()
    stage = record.Stage.at(folder)
    assert record.owner_alive(stage) and record.orphaned_stages(records) == []
    proc.kill()
    proc.wait()
    assert not record.owner_alive(stage)
    assert [s.name for s in record.orphaned_stages(records)] == [stage.name]


def test_group_readable_setting(tmp_path, monkeypatch):
    monkeypatch.setenv(record.GROUP_READABLE_VARIABLE, "1")
    stage = record.reserve(tmp_path / "records", "rb", 1, MOMENT, mode="headless")
    assert mode(tmp_path / "records") == 0o750 and record.record_mode() == 0o440
    assert mode(stage.dir) == 0o700, "a stage holds unscanned output: never shared"
    record.release(stage)
