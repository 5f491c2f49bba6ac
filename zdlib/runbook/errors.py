"""Exceptions that stop a runbook on purpose, after its summary has been shown."""

from __future__ import annotations

from zdlib.redact import redact_text


class RunbookStop(Exception):
    """A runbook ended early; the summary explaining why has already been displayed."""

    outcome = "failed"

    def __init__(self, reason: str) -> None:
        reason = redact_text(reason)  # a reason quoting a server's answer must not carry a secret
        super().__init__(reason)
        self.reason = reason


class Refused(RunbookStop):
    """The run was refused before any change (missing approval, wrong state, retired feature)."""

    outcome = "refused"


class Failed(RunbookStop):
    """Something went wrong; the summary says what is known about the state."""

    outcome = "failed"
