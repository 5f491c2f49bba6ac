"""Progress for the terminal of a headless run (zdlib.runbook.progress_lines): what the kit writes, how
often, and that a counted loop reports its position there while the record gets only the final line."""

from __future__ import annotations

import json
from pathlib import Path

from zdlib.ratelimit import ClientEvent
from zdlib.runbook import display
from zdlib.runbook.progress_lines import INTERVAL_S, ProgressFile, progress_file


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def written(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_routine_lines_are_spaced_and_waits_always_show(tmp_path):
    clock, path = Clock(), tmp_path / "progress.jsonl"
    progress = ProgressFile(path, clock)
    progress.client_event(ClientEvent("page", "GET", "/api/v2/users", 1, items=100))
    assert written(path) == []  # a run shorter than INTERVAL_S stays quiet
    clock.now += INTERVAL_S
    progress.client_event(ClientEvent("page", "GET", "/api/v2/users", 7, items=700))
    progress.client_event(ClientEvent("page", "GET", "/api/v2/users", 8, items=800))  # too soon
    progress.client_event(ClientEvent("wait", wait_s=12.5, reason="budget (account)"))
    progress.client_event(ClientEvent("wait", wait_s=0.2, reason="pacing"))  # routine pacing: not shown
    progress.client_event(ClientEvent("retry", "GET", "/api/v2/users", 2, 3.0, 503, "503"))
    lines = written(path)
    assert [line["text"] for line in lines] == [
        "listing /api/v2/users: page 7, 700 items so far",
        "waiting 12.5 s for the rate limit: budget (account)",
        "GET /api/v2/users: retry 2 in 3.0 s (503)",
    ]
    assert lines[0]["wait_until"] is None and lines[1]["wait_until"] > 0


def test_a_counted_loop_reports_to_the_terminal_and_the_record_gets_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("ZDLIB_RECORD_STEM", str(tmp_path / "stem"))  # headless
    monkeypatch.setenv("ZDLIB_PROGRESS_FILE", str(path))
    terminal = progress_file()
    assert terminal is not None and terminal.path == path
    terminal._last = float("-inf")  # as if the run had been going for a while
    assert list(display.progress(range(5), total=5, desc="users")) == [0, 1, 2, 3, 4]
    assert next(line["text"] for line in written(path)).startswith("users: 1 of 5 (20%) after ")
    printed = capsys.readouterr().out  # what the cell prints: the record
    assert printed.startswith("users: 5 in ") and "of 5" not in printed and printed.count("\n") == 1


def test_no_progress_file_outside_a_headless_run(monkeypatch):
    monkeypatch.delenv("ZDLIB_PROGRESS_FILE", raising=False)
    assert progress_file() is None
