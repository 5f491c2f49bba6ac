"""Execution: papermill runs the notebook into the run's private folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError

KERNEL_NAME = "python3"


@dataclass(frozen=True)
class ExecutionError:
    """What stopped the notebook: the cell's exception, or why papermill could not run it."""

    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename


def execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    start_timeout: int = 60,
    execution_timeout: int | None = None,
) -> ExecutionError | None:
    """Run `notebook` into `output` with the kernel in the notebook's folder; None when no cell failed.

    Nothing the notebook prints reaches the runner's stdout (`log_output=False`): the record, once
    scanned, is the only place it goes.
    """
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
        )
    except PapermillExecutionError as exc:
        return ExecutionError(exc.ename, exc.evalue)
    except Exception as exc:  # kernel died, kernel missing, unreadable notebook: the run failed
        return ExecutionError(type(exc).__name__, str(exc))
    return None
