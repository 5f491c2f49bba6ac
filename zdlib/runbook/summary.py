"""The run's summary: a human sentence for the engineer and a JSON bundle for the runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.display import display

from zdlib.runbook.contract import Outcome

SUMMARY_MIME = "application/vnd.zdlib.summary+json"
OUTCOMES = tuple(Outcome)


def summary_markdown(summary: dict[str, Any]) -> str:
    """A short Markdown rendering of the summary for readers of the record."""
    lines = [
        f"### Outcome: **{summary['outcome']}**",
        "",
        summary.get("reason") or "",
        "",
        f"- Runbook: `{summary['runbook']}` {summary['version']} on {summary.get('instance') or '?'}",
        f"- Operator: {_person(summary.get('operator'))} ({summary.get('auth_kind')}, "
        f"{summary.get('credential_fingerprint')})",
        f"- Started {summary.get('started_at')}, finished {summary.get('finished_at')}",
    ]
    for change in summary.get("changes", []):
        lines.append(
            f"- {change['object']} {change['id']}: `{change['field']}` {change['before']!r} → "
            f"{change['after']!r} [{change['status']}]"
        )
    if summary.get("request_ids"):
        lines.append("- Request ids: " + ", ".join(f"`{r}`" for r in summary["request_ids"]))
    if summary.get("audit_log_ids"):
        lines.append("- Audit log entries: " + ", ".join(str(a) for a in summary["audit_log_ids"]))
    if summary.get("files"):
        lines.append(
            "- Files next to the record: " + ", ".join(f"`{Path(f).name}`" for f in summary["files"])
        )
    return "\n".join(lines)


def show_summary(summary: dict[str, Any]) -> None:
    """Display the summary: the runner reads the JSON part, people read the Markdown part."""
    display(
        {
            SUMMARY_MIME: summary,
            "text/markdown": summary_markdown(summary),
            "text/plain": summary_markdown(summary),
        },
        raw=True,
    )


def _person(person: dict | None) -> str:
    if not person:
        return "unknown"
    return f"{person.get('name')} <{person.get('email')}>, {person.get('role')}"


def show_checkpoint(summary: dict[str, Any], line: str) -> None:
    """A one-line progress mark that also carries the summary as it stands, in case the run dies here."""
    display({SUMMARY_MIME: summary, "text/plain": line}, raw=True)
