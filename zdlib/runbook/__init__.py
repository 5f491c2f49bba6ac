"""The runbook kit: what every notebook calls, so each notebook reads like the procedure it replaces.

Names are imported on first use (PEP 562): the runner reads `zdlib.runbook.staging` and `.contract` without
loading pandas and IPython (start-up time of `zdlib run`, BENCHMARKS.md workload 5).
"""

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

# jsonschema (imported by nbformat and papermill, in the runner and the kernel) loads the optional
# `rfc3987_syntax`, which compiles its grammar at import: 1.2 s of every `zdlib run` on the benchmark machine
# (BENCHMARKS.md, workload 5). Notebook schemas use no `iri` format; jsonschema skips absent checkers.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

if TYPE_CHECKING:
    from zdlib.runbook.approval import Approval, approval_problems
    from zdlib.runbook.changes import Change
    from zdlib.runbook.display import bar_chart, code_block, note, progress, table, warn
    from zdlib.runbook.errors import Failed, Refused, RunbookStop
    from zdlib.runbook.handoff import HandOff, hand_off
    from zdlib.runbook.run import Run, start_run
    from zdlib.runbook.summary import SUMMARY_MIME

_HOME = {
    "Approval": "zdlib.runbook.approval",
    "approval_problems": "zdlib.runbook.approval",
    "Change": "zdlib.runbook.changes",
    "bar_chart": "zdlib.runbook.display",
    "code_block": "zdlib.runbook.display",
    "note": "zdlib.runbook.display",
    "progress": "zdlib.runbook.display",
    "table": "zdlib.runbook.display",
    "warn": "zdlib.runbook.display",
    "Failed": "zdlib.runbook.errors",
    "Refused": "zdlib.runbook.errors",
    "RunbookStop": "zdlib.runbook.errors",
    "HandOff": "zdlib.runbook.handoff",
    "hand_off": "zdlib.runbook.handoff",
    "Run": "zdlib.runbook.run",
    "start_run": "zdlib.runbook.run",
    "SUMMARY_MIME": "zdlib.runbook.summary",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'zdlib.runbook' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "SUMMARY_MIME",
    "Approval",
    "Change",
    "Failed",
    "HandOff",
    "Refused",
    "Run",
    "RunbookStop",
    "approval_problems",
    "bar_chart",
    "code_block",
    "hand_off",
    "note",
    "progress",
    "start_run",
    "table",
    "warn",
]
