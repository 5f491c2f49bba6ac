"""The runner's judgement of a run: its outcome from the kit's last summary, the error and any stop."""

from __future__ import annotations

from typing import Any

from zdlib.record.outcome import SUCCESS_OUTCOMES, Outcome, outcome_of
from zdlib.record.summary import is_checkpoint

__all__ = ["decide_outcome"]

NO_CHECKPOINT = (
    "it stopped before the runbook reached a checkpoint, so no change had been started through the kit"
)


def decide_outcome(
    summary: dict[str, Any] | None, error: object | None, *, stopped: str | None = None
) -> tuple[Outcome, str]:
    """(outcome, reason) from the kit's last summary, the execution error and why the run stopped, if it did.

    - The last summary is a checkpoint, or the run was stopped (`stopped` names how) before any summary:
      `interrupted`, with the checkpoint's reason (what was sent, what was not seen).
    - No summary otherwise: the kit never finished: `failed` with papermill's error.
    - A success outcome followed by a cell error is `failed`: something ran after the summary and broke.
    """
    how = f"The run was stopped ({stopped})" if stopped else "The run stopped"
    if is_checkpoint(summary):
        return Outcome.INTERRUPTED, f"{how}: {summary.get('reason') or 'after its last checkpoint'}"
    if summary is None:
        if stopped:
            return Outcome.INTERRUPTED, f"{how}: {NO_CHECKPOINT}."
        return Outcome.FAILED, str(error) if error else "the runbook ended without a summary"
    outcome = outcome_of(summary.get("outcome"))
    reason = str(summary.get("reason") or "")
    if outcome is None:
        return Outcome.FAILED, f"the summary has an unknown outcome {summary.get('outcome')!r}"
    if stopped and outcome in SUCCESS_OUTCOMES:
        return outcome, f"{reason} (stopped after the summary: {stopped})".strip()
    if error and outcome in SUCCESS_OUTCOMES:
        return Outcome.FAILED, f"error after the summary ({outcome}): {error}"
    if outcome in (Outcome.REFUSED, Outcome.FAILED) and not reason and error:
        reason = str(error)
    return outcome, reason
