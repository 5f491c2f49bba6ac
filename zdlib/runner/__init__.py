"""The runner: executes runbook notebooks with papermill and keeps scanned, indexed records."""

from zdlib.runner.run import RunResult, UsageError, prepare_run, run_runbook

__all__ = ["RunResult", "UsageError", "prepare_run", "run_runbook"]
