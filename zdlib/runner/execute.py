"""Execution: papermill runs the notebook into the run's stage, and a signal stops it cleanly.

SIGINT (Ctrl-C), SIGTERM and SIGHUP during execution raise `Stopped` in the runner's main thread:
papermill still writes the notebook as far as it got (its `finally`), and nbclient shuts the kernel down
(its `finally`). The kernel runs in its own session (jupyter_client's `start_new_session`), so a Ctrl-C to
the terminal's process group reaches the runner only, and the runner decides. The kernel's own stderr
(ipykernel's start-up warnings) goes to a log file in the stage, shown only when the run failed.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import papermill
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

KERNEL_NAME = "python3"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: no history database to open (start-up time), no start-up warnings (the TCP one is about loopback)
_STOPPING = threading.Event()  # set by a stop signal: the kernel is interrupted on its way down
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR")


class Stopped(KeyboardInterrupt):
    """The runner received a stop signal; subclassing KeyboardInterrupt lets every `finally` run."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signal_name = signal.Signals(signum).name


@dataclass(frozen=True)
class ExecutionError:
    """What stopped the notebook: the cell's exception, or why papermill could not run it."""

    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename


@dataclass
class Execution:
    """How the execution ended: an error (None when no cell failed), the stop signal, and timings."""

    error: ExecutionError | None = None
    stopped: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)


class RunnerKernelManager(AsyncKernelManager):
    """The kernel of a headless run: its output to a log file; no interrupt on an ordinary shutdown."""

    kernel_log: ClassVar[Path | None] = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.kernel_log is not None:
            handle = self.kernel_log.open("ab")
            kw.setdefault("stdout", handle)
            kw.setdefault("stderr", handle)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown; an idle kernel then logs a KeyboardInterrupt.
        # Only a stopped run needs it: the running cell stops at once instead of after a SIGTERM.
        if self.shutting_down and not _STOPPING.is_set():
            return
        await super()._async_interrupt_kernel()


def execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    kernel_log: Path | None = None,
    start_timeout: int = 60,
    execution_timeout: int | None = None,
) -> Execution:
    """Run `notebook` into `output` with the kernel in the notebook's folder.

    A stop signal is caught here when `stop_signals()` is active around the call (the runner's main
    thread): the Execution then names it in `stopped`.

    Nothing the notebook prints reaches the runner's stdout (`log_output=False`): the record, once
    scanned, is the only place it goes.
    """
    manager = type("RunKernelManager", (RunnerKernelManager,), {"kernel_log": kernel_log})
    result = Execution()
    started = time.monotonic()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            start_timeout=start_timeout,
            execution_timeout=execution_timeout,
            kernel_manager_class=manager,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except KeyboardInterrupt as exc:  # `Stopped` (SIGTERM, SIGHUP) or a plain Ctrl-C
        result.stopped = describe_signal(getattr(exc, "signal_name", "SIGINT"))
        result.error = ExecutionError("Stopped", result.stopped)
    except PapermillExecutionError as exc:
        result.error = ExecutionError(exc.ename, exc.evalue)
    except Exception as exc:  # kernel died, kernel missing, unreadable notebook: the run failed
        result.error = ExecutionError(type(exc).__name__, str(exc))
    result.seconds["execute"] = time.monotonic() - started
    return result


def describe_signal(name: str) -> str:
    return {"SIGINT": "SIGINT, Ctrl-C", "SIGTERM": "SIGTERM", "SIGHUP": "SIGHUP, the terminal closed"}.get(
        name, name
    )


class _StopSwitch:
    """Raises `Stopped` at the first stop signal while armed; later signals are remembered, not raised."""

    def __init__(self) -> None:
        self.armed = True
        self.received: list[str] = []

    def handle(self, signum: int, _frame: Any) -> None:
        self.received.append(signal.Signals(signum).name)
        if self.armed:
            self.armed = False
            _STOPPING.set()
            raise Stopped(signum)

    def disarm(self) -> None:
        self.armed = False


@contextmanager
def stop_signals() -> Iterator[_StopSwitch]:
    """While inside, SIGINT/SIGTERM/SIGHUP raise `Stopped` once (main thread only; elsewhere a no-op)."""
    switch = _StopSwitch()
    if threading.current_thread() is not threading.main_thread():
        yield switch
        return
    _STOPPING.clear()
    previous = {signum: signal.signal(signum, switch.handle) for signum in STOP_SIGNALS}
    try:
        yield switch
    finally:
        _STOPPING.clear()
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
