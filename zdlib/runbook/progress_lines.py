"""Progress of a headless run for the engineer's terminal, never for the record.

The runner names a file in the run's stage (`ZDLIB_PROGRESS_FILE`, zdlib.record.channel) and prints what
the kernel appends to it while the cells run; a cell's outputs (the record) never see it. Each line is
JSON: `{"text": ..., "wait_until": epoch seconds or null}`. Listings, counted loops (`rb.progress`) and
rate-limit waits report here (the client's `on_event` hook: `ClientEvent` kinds `page`, `wait`, `retry`,
`rate_limited`); lines are spaced by at least `INTERVAL_S`, except waits and retries, which always show.
JupyterLab has no such file: a tqdm bar shows progress there (`zdlib.runbook.display.progress`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from zdlib.ratelimit import ClientEvent
from zdlib.runbook import files

INTERVAL_S = 2.0  # at most one routine line this often (a wait or a retry always shows)
SHOWN_WAIT_S = 1.0  # shorter pacing waits are routine, not worth a line


class ProgressFile:
    """Appends progress lines to the runner's file; a failure to write never disturbs the run."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._last = clock()  # a run shorter than INTERVAL_S stays quiet

    def say(self, text: str, *, wait_s: float = 0.0, always: bool = False) -> None:
        """One line, unless a routine one came less than INTERVAL_S ago."""
        now = self._clock()
        if not always and now - self._last < INTERVAL_S:
            return
        self._last = now
        line = {"text": text, "wait_until": time.time() + wait_s if wait_s else None}
        with suppress(OSError), self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(line) + "\n")

    def client_event(self, event: ClientEvent) -> None:
        """The client's `on_event` hook: listings' pages, rate-limit waits, retries."""
        if event.kind == "page":
            self.say(f"listing {event.path}: page {event.attempt:,}, {event.items:,} items so far")
        elif event.kind == "wait" and event.wait_s >= SHOWN_WAIT_S:
            self.say(
                f"waiting {event.wait_s:.1f} s for the rate limit: {event.reason or 'pacing'}",
                wait_s=event.wait_s,
                always=True,
            )
        elif event.kind == "retry":
            self.say(
                f"{event.method} {event.path}: retry {event.attempt} in {event.wait_s:.1f} s "
                f"({event.reason})",
                wait_s=event.wait_s,
                always=True,
            )

    def counted(self, desc: str, count: int, total: int | None, seconds: float) -> None:
        """A counted loop's position (`rb.progress`): `users: 1,200 of 6,000 (20%) after 3.1 s`."""
        of = f" of {total:,} ({count / total:.0%})" if total else ""
        self.say(f"{desc or 'items'}: {count:,}{of} after {seconds:.1f} s")


_OPEN: dict[Path, ProgressFile] = {}


def progress_file() -> ProgressFile | None:
    """The run's progress file (a headless run's runner named one), else None."""
    path = files.channel().progress_file
    if path is None:
        return None
    return _OPEN.setdefault(path, ProgressFile(path))
