"""The notebook as a reviewer sees it in HTML (the .ipynb record itself is never changed).

- papermill's error banner cells and its two parameter cells are left out (the kit's header has one
  parameter table; both cells stay in the .ipynb);
- a stop by the kit (refused, failed) shows as a refusal, not as an exception; the steps that never ran
  are named in one line instead of showing as empty cells;
- outputs keep only inert types (text, HTML, Markdown, PNG/JPEG): no JavaScript, widgets, SVG or LaTeX;
- the kit's last summary is re-rendered from the final summary, so it agrees with the banner; an earlier
  one (an interactive run that went on) is rendered from its own data, never from the final one;
- the summary step is not named as "not run" when the run stopped earlier and showed its summary there.
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from zdlib.record.markup import Markdown, bullets, md
from zdlib.record.summary import SUMMARY_MIME, summary_markdown

PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})
KIT_STOPS = frozenset({"Refused", "Failed", "RunbookStop"})
FINISH_CELL = "run.finish()"  # the summary step of every runbook
KIT_STOP_LINE = "Runbook stopped ("  # what the kit prints when it stops a run (runbook/run.py)
SHOWN_TYPES = ("text/html", "text/markdown", "image/png", "image/jpeg", "text/plain")


def record_view(nb: Any, summary: dict[str, Any] | None) -> Any:
    """A copy of `nb` prepared for the HTML record."""
    view = copy.deepcopy(nb)
    view.metadata.pop("widgets", None)
    last = _last_outcome(view.cells)
    cells, not_run = [], []
    heading_above = False  # the cell before this one added a heading to `not_run`
    for cell in view.cells:
        tags = set(cell.metadata.get("tags") or [])
        if PAPERMILL_ERROR_TAG in tags or tags & PARAMETER_TAGS:
            continue
        if _never_ran(cell):
            finish = cell.cell_type == "code" and cell.source.strip() == FINISH_CELL
            if finish and summary and heading_above:
                not_run.pop()  # its summary is shown where the run stopped
            heading = _heading(cell.source) if cell.cell_type == "markdown" else ""
            if heading:
                not_run.append(heading)
            heading_above = bool(heading)
            continue
        heading_above = False
        if not_run:  # a cell ran after skipped ones (rare): say where the gap was
            cells.append(_not_run_cell(not_run))
            not_run = []
        if cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            cell.outputs = [o for o in (_shown_output(o, summary, o is last) for o in outputs) if o]
        cells.append(cell)
    if not_run:
        cells.append(_not_run_cell(not_run))
    if not (summary or {}).get("operator"):  # the kit never showed its header: show what was passed
        cells.insert(0, _parameters_cell((view.metadata.get("papermill") or {}).get("parameters") or {}))
    view.cells = cells
    return view


def _parameters_cell(parameters: dict[str, Any]) -> Any:
    """The parameters papermill injected, as one table (the run stopped before the kit's header)."""
    rows = [md("| {name} | {value} |", name=k, value=repr(v)) for k, v in parameters.items()]
    table = (
        "\n".join(["| parameter | value |", "|---|---|", *rows]) if rows else "_No parameters were given._"
    )
    return nbformat.v4.new_markdown_cell(
        md("**Parameters given to this run**\n\n{table}", table=Markdown(table))
    )


def _never_ran(cell: Any) -> bool:
    status = (cell.metadata.get("papermill") or {}).get("status")
    if status is not None:
        return status == "pending"
    return cell.cell_type == "code" and cell.get("execution_count") is None and not cell.get("outputs")


def _heading(source: str) -> str:
    for line in source.splitlines():
        if line.lstrip().startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def _not_run_cell(headings: list[str]) -> Any:
    text = md("**Not run** (the run stopped above):\n\n{steps}", steps=bullets(headings))
    return nbformat.v4.new_markdown_cell(text)


def _last_outcome(cells: list[Any]) -> Any:
    """The last summary output that is an outcome (not a checkpoint), or None."""
    found = None
    for cell in cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = (output.get("data") or {}).get(SUMMARY_MIME)
            if isinstance(data, dict) and not data.get("checkpoint"):
                found = output
    return found


def _shown_output(output: Any, summary: dict[str, Any] | None, last: bool) -> Any:
    kind = output.get("output_type")
    if kind == "error":
        return None if output.get("ename") in KIT_STOPS else output
    if kind == "stream":
        text = "".join(output.get("text") or "")
        return None if text.startswith(KIT_STOP_LINE) else output  # the banner says it
    if kind not in ("display_data", "execute_result"):
        return output
    data = output.get("data") or {}
    if SUMMARY_MIME in data:
        own = data[SUMMARY_MIME] if isinstance(data[SUMMARY_MIME], dict) else None
        shown = summary if last else own
        if "text/markdown" in data and shown:
            data = {"text/markdown": summary_markdown(shown), "text/plain": data.get("text/plain", "")}
        else:
            data = {k: v for k, v in data.items() if k == "text/plain"}
    kept = {k: data[k] for k in SHOWN_TYPES if k in data}
    if not kept:
        return None
    output["data"] = kept
    return output
