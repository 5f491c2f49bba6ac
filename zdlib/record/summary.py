"""The run's summary, the part both sides read: its MIME type, its Markdown rendering, how it is found.

The kit displays the summary (JSON under `SUMMARY_MIME`, beside Markdown) when a run ends, and a checkpoint
before and after each write, also written durably to `<stem>.checkpoint.json`; the runner reads the last one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zdlib.record.markup import Markdown, code, md
from zdlib.record.markup import lines as text_lines

SUMMARY_MIME = "application/vnd.zdlib.summary+json"
CHECKPOINT_SUFFIX = "checkpoint.json"  # `<stem>.checkpoint.json`: the kit writes it, the runner reads it


def summary_markdown(summary: dict[str, Any]) -> Markdown:
    """A short Markdown rendering of the summary for readers of the record (every value escaped)."""
    lines = [
        md("### Outcome: **{outcome}**", outcome=summary.get("outcome")),
        "",
        text_lines(str(summary.get("reason") or "")),
        "",
        "**The run**",
        "",
        md(
            "- Runbook: {runbook:code} {version} on {instance}",
            runbook=summary.get("runbook"),
            version=summary.get("version") or "",
            instance=summary.get("instance") or "?",
        ),
        md(
            "- Operator: {person} ({auth_kind}, {fingerprint})",
            person=person_text(summary.get("operator")),
            auth_kind=summary.get("auth_kind"),
            fingerprint=summary.get("credential_fingerprint"),
        ),
        md("- Approval: {approval}", approval=approval_text(summary.get("approval"))),
        md(
            "- Started {started}, finished {finished}",
            started=summary.get("started_at"),
            finished=summary.get("finished_at"),
        ),
    ]
    for change in summary.get("changes") or []:
        lines.append(
            md(
                "- {object} {id}: {field:code} {before:code} → {after:code} \\[{status}\\]",
                object=change.get("object"),
                id=change.get("id"),
                field=change.get("field"),
                before=repr(change.get("before")),
                after=repr(change.get("after")),
                status=change.get("status"),
            )
        )
    if summary.get("request_ids"):
        lines.append(md("- Request ids: ") + ", ".join(code(r) for r in summary["request_ids"]))
    if summary.get("audit_log_ids"):
        lines.append(md("- Audit log entries: {ids}", ids=", ".join(map(str, summary["audit_log_ids"]))))
    if summary.get("files"):
        lines.append(
            md("- Files next to the record: ") + ", ".join(code(Path(str(f)).name) for f in summary["files"])
        )
    return Markdown("\n".join(lines))


def ran_on_sandbox(summary: Mapping[str, Any] | None) -> bool:
    """True when the run's instance proved it was the local sandbox (the kit's `sandbox` fact; a URL on
    loopback proves nothing: zdlib.instance)."""
    return bool(summary) and summary.get("sandbox") is True


def person_text(person: dict | None) -> str:
    """`Ada Admin <ada@example.com>, admin` (plain text; escape it before it reaches Markdown)."""
    if not person:
        return "unknown"
    return f"{person.get('name')} <{person.get('email')}>, {person.get('role')}"


def approval_text(approval: dict | None) -> str:
    """The approval in one plain-text line: request, approver, reviewer, and whether it was verified."""
    if not approval:
        return "none"
    parts = [
        f"request {approval.get('access_request_url')}",
        f"approved by {approval.get('approved_by')}",
        f"reviewed by {approval.get('reviewed_by')}",
    ]
    parts.append("verified" if approval.get("verified") is True else "NOT verified")
    return ", ".join(parts)


def read_summary(notebook: dict[str, Any]) -> dict[str, Any] | None:
    """The last output with the summary MIME type (the contract: the last one wins)."""
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if SUMMARY_MIME in data and isinstance(data[SUMMARY_MIME], dict):
                found = data[SUMMARY_MIME]
    return dict(found) if found is not None else None


def is_checkpoint(summary: dict[str, Any] | None) -> bool:
    """A checkpoint (left before and after each write) rather than the summary of a finished run."""
    return bool(summary and summary.get("checkpoint"))
