"""The runbook kit: what every notebook calls, so each notebook reads like the procedure it replaces."""

from zdlib.runbook.approval import Approval, approval_problems
from zdlib.runbook.changes import Change
from zdlib.runbook.display import bar_chart, code_block, note, progress, table, warn
from zdlib.runbook.errors import Failed, Refused, RunbookStop
from zdlib.runbook.handoff import HandOff, hand_off
from zdlib.runbook.run import Run, start_run
from zdlib.runbook.summary import SUMMARY_MIME

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
