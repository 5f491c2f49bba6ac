"""The runner: executes runbook notebooks with papermill and keeps scanned, indexed records."""

import zdlib.runbook  # noqa: F401  first: its import-time settings (zdlib/runbook/__init__.py) apply here
from zdlib.runner.run import RunResult, UsageError, prepare_run, run_runbook

__all__ = ["RunResult", "UsageError", "prepare_run", "run_runbook"]
