"""`records/index.html`: every run as a row, newest first, sortable and filterable, opened offline.

Rebuilt from `index.jsonl` after every run (`write_index_page`). Every value is escaped; the only script
is ours, inline, and reads the table it sits in (no data in the script, nothing from the network).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zdlib.record.layout import index_mode
from zdlib.record.markup import soft_breaks
from zdlib.record.outcome import Outcome, outcome_of
from zdlib.record.summary import ran_on_sandbox
from zdlib.runner.banner import text
from zdlib.runner.records import read_index

PAGE_NAME = "index.html"
COLUMNS = (
    "time",
    "runbook",
    "target",
    "instance",
    "sandbox",
    "operator",
    "approval",
    "changes",
    "outcome",
    "record",
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.4em; } .controls { margin: .8em 0; display: flex; gap: 1em; flex-wrap: wrap; }
.scroll { overflow-x: auto; } table { border-collapse: collapse; font-size: .92em; }
th, td { text-align: left; vertical-align: top; padding: .3em .7em; border-bottom: 1px solid #ddd;
  overflow-wrap: break-word; }
th { background: #f3f4f6; cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
.o-applied { color: #1a7f37; font-weight: 600; } .o-planned { color: #0969da; } .o-no-op { color: #57606a; }
.o-refused { color: #bc4c00; font-weight: 600; }
.o-failed, .o-interrupted { color: #cf222e; font-weight: 700; }
.o-waiting { color: #9a6700; font-weight: 600; }
.sandbox { background: #ffe066; font-weight: 700; padding: 0 .3em; border-radius: 3px; }
.unverified { color: #cf222e; font-weight: 600; } .muted { color: #6e7781; }
ul.changes { margin: 0; padding-left: 1em; }
"""
SCRIPT = """
(function () {
  var table = document.getElementById("runs"), body = table.tBodies[0];
  var outcome = document.getElementById("f-outcome"), runbook = document.getElementById("f-runbook");
  var search = document.getElementById("f-text"), count = document.getElementById("count");
  function filter() {
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = (!outcome.value || row.dataset.outcome === outcome.value) &&
               (!runbook.value || row.dataset.runbook === runbook.value) &&
               (!search.value || row.textContent.toLowerCase().indexOf(search.value.toLowerCase()) >= 0);
      row.hidden = !ok; if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + body.rows.length + " runs";
  }
  function sortBy(th, index) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.key || a.cells[index].textContent;
      var y = b.cells[index].dataset.key || b.cells[index].textContent;
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.addEventListener("click", function () { sortBy(th, index); });
  });
  [outcome, runbook].forEach(function (el) { el.addEventListener("change", filter); });
  search.addEventListener("input", filter);
  filter();
})();
"""


def write_index_page(records_dir: str | Path) -> Path:
    """Rebuild `records/index.html` from `index.jsonl` (atomically, private like the index)."""
    folder = Path(records_dir)
    entries = read_index(folder)
    page = folder / PAGE_NAME
    temporary = folder / f".{PAGE_NAME}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(render_index(entries))
    os.chmod(temporary, index_mode())
    os.replace(temporary, page)
    return page


def render_index(entries: list[Mapping[str, Any]]) -> str:
    """The page for these index entries (oldest first in, newest first out)."""
    rows = [_row(entry) for entry in reversed(entries)]
    outcomes = sorted({str(e.get("outcome") or "") for e in entries} - {""})
    runbooks = sorted({str(e.get("runbook") or "") for e in entries} - {""})
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in COLUMNS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>zdlib records: {len(entries)} runs</title><style>{STYLE}</style></head><body>"
        f'<h1>zdlib records</h1><p class="muted">{len(entries)} runs from <code>index.jsonl</code>, newest '
        "first. Click a column to sort. Verify the chain with <code>zdlib records verify</code>.</p>"
        '<div class="controls">'
        f'<label>Outcome <select id="f-outcome">{_options(outcomes)}</select></label>'
        f'<label>Runbook <select id="f-runbook">{_options(runbooks)}</select></label>'
        '<label>Search <input id="f-text" type="search"></label><span id="count" class="muted"></span></div>'
        f'<div class="scroll"><table id="runs"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _options(values: list[str]) -> str:
    return '<option value="">all</option>' + "".join(
        f'<option value="{escape(v)}">{escape(v)}</option>' for v in values
    )


def _row(entry: Mapping[str, Any]) -> str:
    outcome = str(entry.get("outcome") or "")
    known = outcome_of(outcome)
    runbook = str(entry.get("runbook") or "")
    instance = entry.get("instance")
    sandbox = ran_on_sandbox(entry)
    cells = [
        f'<td data-key="{text(entry.get("started_at"))}">{text(entry.get("started_at"))}</td>',
        f"<td>{text(runbook)}</td>",
        f"<td>{text(entry.get('target'))}</td>",
        f"<td>{text(instance)}</td>",
        f"<td>{'<span class=sandbox>SANDBOX</span>' if sandbox else 'no'}</td>",
        f"<td>{_operator(entry.get('operator'))}</td>",
        f"<td>{_approval(entry.get('approval'), known)}</td>",
        f'<td data-key="{len(entry.get("changes") or []):06d}">{_changes(entry.get("changes") or [])}</td>',
        f'<td class="o-{text(outcome.replace(" ", "-"))}">{text(outcome)}</td>',
        f"<td>{_link(entry.get('records') or {})}</td>",
    ]
    row = f'<tr data-outcome="{text(outcome)}" data-runbook="{text(runbook)}">{"".join(cells)}</tr>'
    return soft_breaks(row)


def _operator(operator: Any) -> str:
    if isinstance(operator, Mapping):
        name, email = operator.get("name"), operator.get("email")
        return f"{text(name)}<br><span class=muted>{text(email)}</span>" if email else text(name)
    return text(operator) or '<span class="muted">unknown</span>'


def _approval(approval: Any, outcome: Outcome | None) -> str:
    if not isinstance(approval, Mapping) or not approval:
        return '<span class="unverified">none</span>' if outcome is Outcome.APPLIED else "-"
    who = ", ".join(
        f"{label} {text(approval.get(key))}"
        for key, label in (("approved_by", "approved by"), ("reviewed_by", "reviewed by"))
        if approval.get(key)
    )
    flag = "verified" if approval.get("verified") is True else '<span class="unverified">NOT verified</span>'
    request = approval.get("access_request_url")
    return f"{who or '-'}<br>{flag}" + (f"<br><span class=muted>{text(request)}</span>" if request else "")


def _changes(changes: list[Any]) -> str:
    if not changes:
        return '<span class="muted">none</span>'
    items = []
    for change in changes:
        if not isinstance(change, Mapping):
            items.append(f"<li>{text(change)}</li>")
            continue
        before = json.dumps(change.get("before"), ensure_ascii=False, default=str)
        after = json.dumps(change.get("after"), ensure_ascii=False, default=str)
        items.append(
            f"<li>{text(change.get('object'))} {text(change.get('id'))} {text(change.get('field'))}: "
            f"{text(before)} → {text(after)} [{text(change.get('status'))}]</li>"
        )
    return f'<ul class="changes">{"".join(items)}</ul>'


def _link(records: Mapping[str, Any]) -> str:
    name = records.get("html") or records.get("ipynb")
    if not name:
        return '<span class="muted">no record</span>'
    file_name = Path(str(name)).name  # a file next to this page, never a URL of any scheme
    return f'<a href="./{quote(file_name)}">{text(file_name)}</a>'
