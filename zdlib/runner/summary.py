"""The outcome: the kit's summary output, read back from the executed notebook."""

from __future__ import annotations

from typing import Any

from zdlib.runbook.contract import SUCCESS_OUTCOMES
from zdlib.runbook.summary import OUTCOMES, SUMMARY_MIME


def read_summary(notebook: dict[str, Any]) -> dict[str, Any] | None:
    """The last output with the summary MIME type (the contract: the last one wins)."""
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if SUMMARY_MIME in data and isinstance(data[SUMMARY_MIME], dict):
                found = data[SUMMARY_MIME]
    return dict(found) if found is not None else None


def decide_outcome(summary: dict[str, Any] | None, error: object | None) -> tuple[str, str]:
    """(outcome, reason) from the kit's summary and the execution error, if any.

    No summary means the kit never finished: `failed` with papermill's error. A success outcome
    followed by a cell error is `failed` too: something ran after the summary and broke.
    """
    if summary is None:
        return "failed", str(error) if error else "the runbook ended without a summary"
    outcome = summary.get("outcome")
    reason = str(summary.get("reason") or "")
    if outcome not in OUTCOMES:
        return "failed", f"the summary has an unknown outcome {outcome!r}"
    if error and outcome in SUCCESS_OUTCOMES:
        return "failed", f"error after the summary ({outcome}): {error}"
    if outcome in ("refused", "failed") and not reason and error:
        reason = str(error)
    return outcome, reason
