"""The runner prints the kernel's progress lines live (zdlib.runner.progress) and leaves no file behind."""

from __future__ import annotations

import io
import json
import time

from zdlib.runner import progress as watch_module
from zdlib.runner.progress import ProgressWatch


def test_lines_are_printed_as_they_come_half_lines_wait_and_the_file_goes(tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_S", 0.05)
    path, out = tmp_path / "progress.jsonl", io.StringIO()
    watch = ProgressWatch(path, out).start()
    with path.open("a") as stream:
        stream.write(json.dumps({"text": "listing /api/v2/users: page 3", "wait_until": None}) + "\n")
        stream.write('{"text": "half')  # a line still being written is not read yet
        stream.flush()
        time.sleep(0.3)
        assert out.getvalue().count("\n") == 1 and "page 3" in out.getvalue()
        stream.write(' a line", "wait_until": null}\n')
    watch.stop()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  [") and lines[0].endswith("s] listing /api/v2/users: page 3")
    assert lines[1].endswith("] half a line") and len(lines) == 2
    assert not path.exists()


def test_a_long_wait_gets_a_heartbeat(tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_S", 0.05)
    monkeypatch.setattr(watch_module, "HEARTBEAT_S", 0.2)
    path, out = tmp_path / "progress.jsonl", io.StringIO()
    path.write_text(
        json.dumps({"text": "waiting 30.0 s for the rate limit", "wait_until": time.time() + 30}) + "\n"
    )
    watch = ProgressWatch(path, out).start()
    time.sleep(0.6)
    watch.stop()
    beats = [line for line in out.getvalue().splitlines() if "still waiting for the rate limit" in line]
    assert beats and all(line.endswith("s left") for line in beats)


def test_no_file_no_lines(tmp_path):
    out = io.StringIO()
    ProgressWatch(tmp_path / "none.jsonl", out).start().stop()
    assert out.getvalue() == ""
