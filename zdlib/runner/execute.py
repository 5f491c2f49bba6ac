"""Execution: papermill runs the notebook's cells, on the runner's kernel, into the run's stage.

The kernel is the runner's (`zdlib.runner.kernel.RunKernel`, passed as `km`): papermill only runs cells
on it and writes the notebook after each one, so a stopped run keeps every output as far as it got.
A stop signal (`zdlib.runner.signals`) raises in the runner's main thread while papermill waits for a
cell; it ends up here as `Execution.stopped`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zdlib.runner.kernel import KERNEL_NAME, RunKernel
from zdlib.runner.signals import describe_signal


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

    @classmethod
    def stopped_by(cls, signal_name: str) -> Execution:
        described = describe_signal(signal_name)
        return cls(ExecutionError("Stopped", described), described)


def execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    kernel: RunKernel,
    *,
    start_timeout: int = 60,
    execution_timeout: int | None = None,
) -> Execution:
    """Run `notebook`'s cells on `kernel` into `output`.

    A stop signal is caught here when `stop_signals()` is active around the call (the runner's main
    thread): the Execution then names it in `stopped`. Nothing the notebook prints reaches the runner's
    stdout (`log_output=False`): the record, once scanned, is the only place it goes.
    """
    import papermill  # here, not at the top: imported while the kernel, launched before, boots
    from papermill.exceptions import PapermillExecutionError

    result = Execution()
    started = time.monotonic()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            km=kernel.manager,  # nbclient runs the cells on it and leaves its shutdown to the runner
            progress_bar=False,
            log_output=False,
            start_timeout=start_timeout,
            execution_timeout=execution_timeout,
        )
    except KeyboardInterrupt as exc:  # `Stopped` (SIGTERM, SIGHUP) or a plain Ctrl-C
        result = Execution.stopped_by(getattr(exc, "signal_name", "SIGINT"))
    except PapermillExecutionError as exc:
        result.error = ExecutionError(exc.ename, exc.evalue)
    except Exception as exc:  # kernel died, unreadable notebook: the run failed
        result.error = ExecutionError(type(exc).__name__, str(exc))
    result.seconds["cells"] = time.monotonic() - started
    return result
