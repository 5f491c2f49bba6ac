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
from zdlib.record.outcome import Outcome, outcome_of
from zdlib.record.summary import ran_on_sandbox
from zdlib.runner.banner import text
from zdlib.runner.records import read_index

PAGE_NAME = "index.html"
#: The columns, what matters first: at 1280 px every one is on screen, long values cut with "…" and whole in
#: the cell's tooltip (first-use report F7).
COLUMNS = (
    ("time", "12.5em"),
    ("runbook", "13em"),
    ("target", "9em"),
    ("outcome", "8em"),
    ("record", "5em"),
    ("instance", "8.5em"),
    ("operator", "8em"),
    ("approval", "10em"),
    ("changes", "auto"),
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.4em; } .controls { margin: .8em 0; display: flex; gap: 1em; flex-wrap: wrap; }
table { border-collapse: collapse; font-size: .92em; table-layout: fixed; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #ddd;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th { background: #f3f4f6; cursor: pointer; user-select: none; position: sticky; top: 0; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
.o-applied { color: #1a7f37; font-weight: 600; } .o-planned { color: #0969da; } .o-no-op { color: #57606a; }
.o-refused { color: #bc4c00; font-weight: 600; }
.o-failed, .o-interrupted { color: #cf222e; font-weight: 700; }
.o-waiting { color: #9a6700; font-weight: 600; }
.sandbox { background: #ffe066; font-weight: 700; padding: 0 .3em; border-radius: 3px; }
.unverified { color: #cf222e; font-weight: 600; } .muted { color: #6e7781; }
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
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c, _ in COLUMNS)
    widths = "".join(f'<col style="width: {w}">' if w != "auto" else "<col>" for _, w in COLUMNS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>zdlib records: {len(entries)} runs</title><style>{STYLE}</style></head><body>"
        f'<h1>zdlib records</h1><p class="muted">{len(entries)} runs from <code>index.jsonl</code>, newest '
        "first. Click a column to sort; point at a cut value to read it whole. Verify the chain with "
        "<code>zdlib records verify</code>.</p>"
        '<div class="controls">'
        f'<label>Outcome <select id="f-outcome">{_options(outcomes)}</select></label>'
        f'<label>Runbook <select id="f-runbook">{_options(runbooks)}</select></label>'
        '<label>Search <input id="f-text" type="search"></label><span id="count" class="muted"></span></div>'
        f'<table id="runs"><colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
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
    started = str(entry.get("started_at") or "")
    instance = text(entry.get("instance"))
    if ran_on_sandbox(entry):
        instance = f"<span class=sandbox>SANDBOX</span> {instance}"
    operator, approval, changes = _operator(entry), _approval(entry.get("approval"), known), _changes(entry)
    cells = [
        _cell(started.replace("T", " "), key=started),
        _cell(runbook),
        _cell(entry.get("target")),
        _cell(outcome, css=f"o-{outcome.replace(' ', '-')}"),
        f"<td>{_link(entry.get('records') or {})}</td>",
        f'<td title="{text(entry.get("instance"))}">{instance}</td>',
        _cell(operator),
        f'<td title="{text(approval[1])}">{approval[0]}</td>',
        _cell(changes, key=f"{len(entry.get('changes') or []):06d}"),
    ]
    return f'<tr data-outcome="{text(outcome)}" data-runbook="{text(runbook)}">{"".join(cells)}</tr>'


def _cell(value: Any, *, key: str = "", css: str = "") -> str:
    """A cell cut to its column with "…"; the whole value is its tooltip."""
    shown = text(value)
    attributes = f' title="{shown}"' + (f' data-key="{text(key)}"' if key else "")
    attributes += f' class="{text(css)}"' if css else ""
    return f"<td{attributes}>{shown}</td>"


def _operator(entry: Mapping[str, Any]) -> str:
    operator = entry.get("operator")
    if isinstance(operator, Mapping):
        return str(operator.get("email") or operator.get("name") or "unknown")
    return str(operator or "unknown")


def _approval(approval: Any, outcome: Outcome | None) -> tuple[str, str]:
    """The approval cell (HTML, short: who, the issue's number, verified or not) and its tooltip (text)."""
    if not isinstance(approval, Mapping) or not approval:
        shown = '<span class="unverified">none</span>' if outcome is Outcome.APPLIED else "-"
        return shown, "no approval"
    who = str(approval.get("approved_by") or "-")
    request = str(approval.get("access_request_url") or "")
    number = request.rstrip("/").rsplit("/", 1)[-1] if request else ""
    verified = approval.get("verified") is True
    flag = "verified" if verified else '<span class="unverified">NOT verified</span>'
    reviewed = f", reviewed by {approval.get('reviewed_by')}" if approval.get("reviewed_by") else ""
    tooltip = f"approved by {who}{reviewed}; {'verified' if verified else 'NOT verified'}; {request or '-'}"
    return f"{text(who)} {'#' + text(number) if number else ''} · {flag}", tooltip


def _changes(entry: Mapping[str, Any]) -> str:
    """`automation 12345 active: true → false [verified]; ...` (the tooltip shows them all)."""
    items = []
    for change in entry.get("changes") or []:
        if not isinstance(change, Mapping):
            items.append(str(change))
            continue
        before = json.dumps(change.get("before"), ensure_ascii=False, default=str)
        after = json.dumps(change.get("after"), ensure_ascii=False, default=str)
        what = f"{change.get('object')} {change.get('id')} {change.get('field')}"
        items.append(f"{what}: {before} → {after} [{change.get('status')}]")
    return "; ".join(items) or "none"


def _link(records: Mapping[str, Any]) -> str:
    name = records.get("html") or records.get("ipynb")
    if not name:
        return '<span class="muted">no record</span>'
    file_name = Path(str(name)).name  # a file next to this page, never a URL of any scheme
    return f'<a href="./{quote(file_name)}" title="{text(file_name)}">open</a>'
