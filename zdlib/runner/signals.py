"""Stop signals of a headless run: SIGINT (Ctrl-C), SIGTERM and SIGHUP end the run cleanly, once.

While a run executes, the first stop signal raises `Stopped` in the runner's main thread, so every
`finally` runs (papermill writes the notebook as far as it got, the kernel is interrupted and shut down).
While a run publishes, stop signals are noted and ignored, so the record is always completed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """The runner received a stop signal; subclassing KeyboardInterrupt lets every `finally` run."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signal_name = signal.Signals(signum).name


def describe_signal(name: str) -> str:
    return {"SIGINT": "SIGINT, Ctrl-C", "SIGTERM": "SIGTERM", "SIGHUP": "SIGHUP, the terminal closed"}.get(
        name, name
    )


class StopSwitch:
    """Raises `Stopped` at the first stop signal; later ones are ignored (the run is already stopping)."""

    def __init__(self) -> None:
        self.armed = True

    def handle(self, signum: int, _frame: Any) -> None:
        if self.armed:
            self.armed = False
            raise Stopped(signum)


@contextmanager
def stop_signals() -> Iterator[StopSwitch]:
    """While inside, SIGINT/SIGTERM/SIGHUP raise `Stopped` once (main thread only; elsewhere a no-op)."""
    switch = StopSwitch()
    if threading.current_thread() is not threading.main_thread():
        yield switch
        return
    previous = {signum: signal.signal(signum, switch.handle) for signum in STOP_SIGNALS}
    try:
        yield switch
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def signals_deferred() -> Iterator[list[str]]:
    """While publishing, stop signals are noted and ignored, so the record is always completed."""
    received: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def note(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, note) for signum in STOP_SIGNALS}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
