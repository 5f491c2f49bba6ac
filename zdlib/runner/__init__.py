"""The runner: executes runbook notebooks with papermill and keeps scanned, indexed records."""

import sys

# jsonschema (imported by nbformat and papermill) loads the optional `rfc3987_syntax`, which compiles its
# grammar at import: 1.2 s of every `zdlib run` on the benchmark machine (BENCHMARKS.md, workload 5).
# Notebook schemas use no `iri` format, so the runner goes without it (jsonschema skips absent checkers).
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from zdlib.runner.run import RunResult, UsageError, prepare_run, run_runbook

__all__ = ["RunResult", "UsageError", "prepare_run", "run_runbook"]
