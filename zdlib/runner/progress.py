"""The runner's side of progress: print what the kernel appends to the stage's progress file, live.

The kit writes JSON lines (zdlib.runbook.progress_lines); a thread here reads the new ones twice a second
and prints them to the terminal (stderr, so stdout stays the run's story), with the seconds since the run
started. During a long rate-limit wait it says every `HEARTBEAT_S` how long is left. The file lives in the
stage beside `kernel.log` and is deleted when the watch ends: no progress line reaches the record.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import TextIO

PROGRESS_NAME = "progress.jsonl"
POLL_S = 0.5
HEARTBEAT_S = 5.0  # during a wait, a line at least this often


class ProgressWatch:
    """Tail `path` in a thread and print its lines to `stream`; `stop()` prints the rest and deletes it."""

    def __init__(self, path: Path, stream: TextIO | None = None) -> None:
        self.path = path
        self.stream = stream or sys.stderr
        self._started = time.monotonic()
        self._offset = 0
        self._wait_until: float | None = None
        self._last_print = self._started
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="zdlib-progress", daemon=True)

    def start(self) -> ProgressWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._drain()
        self.path.unlink(missing_ok=True)

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            self._drain()
            self._heartbeat()

    def _drain(self) -> None:
        try:
            with self.path.open("rb") as stream:
                stream.seek(self._offset)
                chunk = stream.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a half-written line waits for the next look
        self._offset += len(complete)
        for raw in complete.splitlines():
            with suppress(ValueError, AttributeError):
                line = json.loads(raw)
                self._wait_until = line.get("wait_until")
                self._print(str(line.get("text") or ""))

    def _heartbeat(self) -> None:
        now = time.monotonic()
        left = (self._wait_until or 0) - time.time()
        if left >= 1 and now - self._last_print >= HEARTBEAT_S:
            self._print(f"still waiting for the rate limit: {left:.0f} s left")

    def _print(self, text: str) -> None:
        self._last_print = time.monotonic()
        print(f"  [{self._last_print - self._started:5.1f} s] {text}", file=self.stream, flush=True)
