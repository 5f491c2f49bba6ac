"""Acting on a runbook mid-run (runs: `tests.runbooks.support.run_on`): on a request seen, or by a kill."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil

from zdlib.sandbox.server import SandboxServer


@contextmanager
def when_seen(
    sandbox: SandboxServer, endpoint: str, action: Callable[[], None], *, then_next: bool = False
) -> Iterator[threading.Event]:
    """Call `action` once the sandbox has counted a request to `endpoint` (e.g. `GET /api/v2/users/me`).

    With `then_next`, wait for the request after it to start too (e.g. the verification GET after a PUT).
    The event is set when the action ran.
    """
    fired, stop = threading.Event(), threading.Event()

    def watch() -> None:
        seen_total = None
        while not stop.is_set():
            stats = sandbox.control.stats()
            if seen_total is None and stats["by_endpoint"].get(endpoint, 0) > 0:
                seen_total = stats["total"]
            if seen_total is not None and (not then_next or stats["total"] > seen_total):
                action()
                fired.set()
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        stop.set()
        thread.join(5)


def kill_kernel() -> None:
    """SIGKILL the notebook kernel(s) this process started: the run stops between two requests."""
    for child in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                os.kill(child.pid, signal.SIGKILL)
        except psutil.Error:
            continue
