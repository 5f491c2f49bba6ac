"""The banner at the top of an HTML record: the runner's verdict, read from the final summary.

Every value is escaped here (`html.escape`); links are made only from http(s) URLs.
Fields read from the summary: outcome, reason, kit_outcome, runbook, version, target, instance,
operator (name, email, role, id), auth_kind, credential_fingerprint, mode (else dry_run), run_mode,
approval (access_request_url, approved_by, reviewed_by, verified, source, problems,
label_event: label, action, user, created_at, id), changes (object, id, field, before, after,
status, note), started_at, finished_at, request_ids, audit_log_ids, files.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from zdlib.record.delivery import deliveries
from zdlib.record.markup import soft_breaks
from zdlib.record.outcome import ChangeStatus, Mode, Outcome, never_sent, outcome_of
from zdlib.record.summary import ran_on_sandbox
from zdlib.runner.guidance import detail_pairs

MEANING = {
    Outcome.APPLIED: "changes were made",
    Outcome.PLANNED: "dry run: the plan was shown, nothing was changed",
    Outcome.NOOP: "nothing was changed",
    Outcome.REFUSED: "stopped before any change",
    Outcome.FAILED: "something went wrong: read the reason",
    Outcome.INTERRUPTED: "the run was stopped: the last checkpoint says what was sent",
    Outcome.WAITING: "a step is left to a person; nothing verified yet",
}
CHANGE_COLUMNS = ("object", "field", "before → after", "status", "read back", "note")


def text(value: Any) -> str:
    """Any value as escaped HTML text (`None` as an empty string; objects as compact JSON)."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return escape(str(value), quote=True)


_PROSE_TOKENS = re.compile(r"`(?P<code>[^`\n]+)`|(?P<url>https?://[^\s<>\"'`]+)")


def prose(value: Any) -> str:
    """A sentence of a reason as HTML: escaped, with `code` spans as code and http(s) URLs as links (a
    trailing full stop, comma or bracket stays outside the link)."""
    raw, html, at = "" if value is None else str(value), [], 0
    for match in _PROSE_TOKENS.finditer(raw):
        html.append(text(raw[at : match.start()]))
        if match.group("code") is not None:
            html.append(f"<code>{text(match.group('code'))}</code>")
        else:
            url = match.group("url")
            trimmed = url.rstrip(".,;:)")
            html.append(
                f'<a href="{text(trimmed)}" rel="noreferrer">{text(trimmed)}</a>{text(url[len(trimmed) :])}'
            )
        at = match.end()
    html.append(text(raw[at:]))
    return "".join(html)


def link(url: Any) -> str:
    """An http(s) URL as a link that shows the whole URL; anything else as text."""
    value = "" if url is None else str(url).strip()
    if urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc:
        return f'<a href="{text(value)}" rel="noopener noreferrer">{text(value)}</a>'
    return text(value)


def page_title(summary: dict[str, Any] | None) -> str:
    """`deactivate_automation 12345: applied (SANDBOX)`: plain text, escaped by the caller."""
    summary = summary or {}
    parts = [str(summary.get("runbook") or "runbook")]
    if summary.get("target") not in (None, ""):
        parts.append(str(summary["target"]))
    title = " ".join(parts) + f": {summary.get('outcome') or 'unknown outcome'}"
    return title + (" (SANDBOX)" if ran_on_sandbox(summary) else "")


def banner_html(summary: dict[str, Any] | None) -> str:
    """The banner as an HTML fragment; a missing summary is said plainly."""
    if not summary:
        return (
            '<section class="zd-banner zd-outcome-failed" role="banner"><div class="zd-outcome">'
            "NO SUMMARY</div><p>The runbook left no summary: this record shows only what the cells "
            "printed.</p></section>"
        )
    outcome = outcome_of(summary.get("outcome"))
    name = outcome.value if outcome else str(summary.get("outcome") or "unknown")
    css = f"zd-outcome-{name.replace(' ', '-')}" if outcome else "zd-outcome-failed"
    parts = [f'<section class="zd-banner {text(css)}" role="banner">']
    if ran_on_sandbox(summary):
        parts.append(
            '<div class="zd-sandbox">SANDBOX: a local test instance, not a real Zendesk. '
            "Nothing here touched production.</div>"
        )
    meaning = MEANING.get(outcome, "") if outcome else "not an outcome the runner knows"
    parts.append(
        f'<div class="zd-outcome">{text(name.upper())}<span class="zd-meaning">{text(meaning)}</span></div>'
    )
    parts.append(_reason(summary))
    parts.append(_left_to_a_person(summary, outcome))
    parts.append(_deliveries(summary))
    parts.append(_unrecorded_source(summary))
    parts.append(_facts(summary))
    parts.append(_changes(summary.get("changes") or [], outcome_of(summary.get("outcome"))))
    parts.append("</section>")
    return soft_breaks("\n".join(p for p in parts if p))


def _left_to_a_person(summary: dict[str, Any], outcome: Outcome | None) -> str:
    """A waiting run's Admin Center step, numbered, with the object's details and warnings."""
    step = (summary.get("facts") or {}).get("admin_center")  # zdlib.runbook.manual.FACT
    if outcome is not Outcome.WAITING or not isinstance(step, dict):
        return ""
    facts = "".join(f"<li>{text(k)}: {text(v)}</li>" for k, v in detail_pairs(step))
    clicks = "".join(f"<li>{text(click)}</li>" for click in step.get("clicks") or [])
    warnings = "".join(f'<p class="zd-note">{text(w)}</p>' for w in step.get("warnings") or [])
    return (
        f'<div class="zd-steps"><p><b>Left to a person in {text(step.get("path"))}: '
        f"{text(step.get('title'))}</b></p><ul>{facts}</ul><ol>{clicks}</ol>{warnings}</div>"
    )


def _deliveries(summary: dict[str, Any]) -> str:
    """Where each credential went (never the secret): the same line the terminal prints."""
    lines = [d.line() for d in deliveries(summary)]
    return "".join(f'<p class="zd-delivery"><b>Delivered:</b> {text(line)}</p>' for line in lines)


def _unrecorded_source(summary: dict[str, Any]) -> str:
    """In red: a rollback restored from a file that no published record lists (the operator said so)."""
    snapshot = (summary.get("facts") or {}).get("snapshot")
    if not isinstance(snapshot, dict) or snapshot.get("record"):
        return ""
    return (
        f'<p class="zd-alarm">Restored from a file that NO record lists: {text(snapshot.get("file"))} '
        f"(sha256 {text(snapshot.get('sha256'))}), because the operator said unrecorded_snapshot=True. "
        "Check where it came from.</p>"
    )


def _reason(summary: dict[str, Any]) -> str:
    reason = str(summary.get("reason") or "")
    kit = summary.get("kit_outcome")
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    items = [line[2:] for line in lines if line.startswith(("- ", "* "))]
    sentences = [line for line in lines if not line.startswith(("- ", "* "))]
    html = "".join(f'<p class="zd-reason">{prose(line)}</p>' for line in sentences)
    if items:
        html += '<ul class="zd-reasons">' + "".join(f"<li>{prose(i)}</li>" for i in items) + "</ul>"
    if kit and kit != summary.get("outcome"):
        html += (
            f'<p class="zd-note">The runbook itself reported <b>{text(kit)}</b>; the runner recorded '
            f"<b>{text(summary.get('outcome'))}</b> for the reason above.</p>"
        )
    return html


def _facts(summary: dict[str, Any]) -> str:
    instance = summary.get("instance")
    where = link(instance) or "unknown"
    if ran_on_sandbox(summary):
        where += ' <span class="zd-tag zd-tag-sandbox">SANDBOX</span>'
    operator = summary.get("operator") or {}
    who = (
        f"{text(operator.get('name'))} &lt;{text(operator.get('email'))}&gt;, {text(operator.get('role'))}"
        f" (id {text(operator.get('id'))})"
        if operator
        else "unknown (the run stopped before identifying the operator)"
    )
    credential = " ".join(
        text(v) for v in (summary.get("auth_kind"), summary.get("credential_fingerprint")) if v
    )
    rows = [
        ("Runbook", f"<code>{text(summary.get('runbook'))}</code> {text(summary.get('version'))}"),
        ("Target", text(summary.get("target")) or "none"),
        ("Instance", where),
        ("Operator", who + (f" with {credential}" if credential else "")),
        ("Approval", _approval(summary.get("approval"), summary.get("outcome"))),
        ("Mode", _mode(summary)),
        ("Started, finished (UTC)", f"{text(summary.get('started_at'))}, {text(summary.get('finished_at'))}"),
    ]  # fmt: skip
    if summary.get("request_ids"):
        rows.append(("Request ids", ", ".join(f"<code>{text(r)}</code>" for r in summary["request_ids"])))
    if summary.get("audit_log_ids"):
        rows.append(("Audit log entries", text(", ".join(map(str, summary["audit_log_ids"])))))
    if summary.get("files"):
        names = [f"<code>{text(PurePath(str(f)).name)}</code>" for f in summary["files"]]
        rows.append(("Files next to the record", ", ".join(names)))
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="zd-facts">{body}</table>'


def _mode(summary: dict[str, Any]) -> str:
    """The kit's mode (read-only, dry run, apply); a runner's stage mode (headless, interactive) is added."""
    value, run_mode = str(summary.get("mode") or ""), str(summary.get("run_mode") or "")
    if value not in set(Mode):
        value, run_mode = str(Mode.DRY_RUN if summary.get("dry_run") else Mode.APPLY), run_mode or value
    return text(f"{value} ({run_mode})" if run_mode else value)


def _approval(approval: Any, outcome: Any) -> str:
    if not isinstance(approval, dict) or not approval:
        if outcome_of(outcome) is Outcome.APPLIED:
            return '<strong class="zd-alarm">NO APPROVAL recorded for an applied run</strong>'
        return "none (not needed, or not given)"
    verified = approval.get("verified") is True
    flag = (
        '<span class="zd-tag zd-tag-ok">approval verified</span>'
        if verified
        else '<strong class="zd-alarm">approval NOT verified</strong>'
    )
    parts = [flag]
    if approval.get("access_request_url"):
        parts.append(f"request {link(approval['access_request_url'])}")
    for key, label in (("approved_by", "approved by"), ("reviewed_by", "reviewed by"), ("source", "source")):
        if approval.get(key):
            parts.append(f"{label} {text(approval[key])}")
    event = approval.get("label_event")
    if isinstance(event, dict) and event:
        parts.append(
            f"label {text(event.get('label'))} {text(event.get('action') or 'added')} by "
            f"{text(event.get('user'))} at {text(event.get('created_at'))} "
            f"(GitLab event {text(event.get('id'))})"
        )
    html = ", ".join(parts)
    problems = approval.get("problems") or []
    if problems and not verified:
        html += '<ul class="zd-reasons">' + "".join(f"<li>{text(p)}</li>" for p in problems) + "</ul>"
    return html


def _read_back(status: str, outcome: Outcome | None) -> str:
    """The "read back" cell: verified, not verified, or not sent at all."""
    if status == ChangeStatus.VERIFIED:
        return '<span class="zd-tag zd-tag-ok">verified</span>'
    if status in (ChangeStatus.APPLIED, ChangeStatus.FAILED):
        return '<span class="zd-tag">not verified</span>'
    if never_sent(status, outcome):
        return '<span class="zd-tag">not sent</span>'
    return '<span class="zd-tag">-</span>'


def _changes(changes: list[dict[str, Any]], outcome: Outcome | None = None) -> str:
    if not changes:
        return '<p class="zd-nochanges">No change was planned or made.</p>'
    rows = []
    for change in changes:
        status = str(change.get("status") or "")
        check = _read_back(status, outcome)
        rows.append(
            "<tr>"
            f"<td>{text(change.get('object'))} {text(change.get('id'))}</td>"
            f"<td><code>{text(change.get('field'))}</code></td>"
            f'<td class="zd-value"><code>{text(_shown(change.get("before")))}</code> → '
            f"<code>{text(_shown(change.get('after')))}</code></td>"
            f'<td class="zd-status zd-status-{text(status.replace(" ", "-"))}">{text(status)}</td>'
            f"<td>{check}</td>"
            f"<td>{text(change.get('note'))}</td>"
            "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in CHANGE_COLUMNS)
    table = f'<table class="zd-changes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="zd-scroll">{table}</div>'


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
