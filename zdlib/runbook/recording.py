"""The record of a JupyterLab run: what the kernel sent, written as one run a reviewer reads top to bottom.

`Recorder` keeps every executed cell and every output in order, each output stamped with the publication it
arrived before (its epoch: 0 until the first `finish()`, 1 after it, ...). `build_notebook` writes the record:

- the template's introduction and headings, the parameters as executed, then the executed cells;
- a step executed again later (the dry run's steps, run again after "Apply this plan") appears once, at its
  last execution; where the earlier executions stood, one note names them, when they ran, and the record that
  already holds their outputs (outputs no record holds yet stay, under the note, without any outcome in them);
- an outcome shown before a later one (a `waiting` summary, before "Done in Admin Center" was pressed) is
  replaced by one line saying it was superseded, when, and by which record, with the lines printed after it;
- a JupyterLab control (a button) is named in words, never by its widget repr.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nbformat

from zdlib.record.markup import md
from zdlib.record.summary import SUMMARY_MIME

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_CELL = "# (no code ran here: a JupyterLab control, such as a button, was used; its output follows)"
_DESCRIPTION = re.compile(r"description='((?:[^'\\]|\\.)*)'")


@dataclass(frozen=True)
class Publication:
    """One record published from this run: its stem and when."""

    stem: str
    at: str


@dataclass
class CellRecord:
    """One executed cell: its source, execution count and outputs as JupyterLab received them."""

    source: str
    parent_id: str | None
    kind: str = "cell"  # "cell", "widget" (a control's callback) or "markdown" (a note between cells)
    epoch: int = 0
    execution_count: int | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)  # one per output
    started_at: str = field(default_factory=lambda: iso_now())

    def add(self, output: dict[str, Any], epoch: int) -> None:
        """Append an output; a stream continues the last one when it is of the same stream and epoch."""
        if output["output_type"] == "stream" and self.outputs and self.epochs[-1] == epoch:
            last = self.outputs[-1]
            if last.get("output_type") == "stream" and last.get("name") == output["name"]:
                last["text"] += output["text"]
                return
        self.outputs.append(output)
        self.epochs.append(epoch)

    def clear(self) -> None:
        self.outputs.clear()
        self.epochs.clear()


class Recorder:
    """Every cell executed and every output sent since the run began, in order (thread-safe)."""

    def __init__(self) -> None:
        self.items: list[CellRecord] = []
        self.by_parent: dict[str, CellRecord] = {}
        self.by_display: dict[str, list[dict[str, Any]]] = {}
        self.publications: list[Publication] = []
        self.summaries_seen = 0  # summary or checkpoint outputs, ever (to tell a run that did something)
        self.lock = threading.RLock()

    @property
    def epoch(self) -> int:
        return len(self.publications)

    def start_cell(self, source: str, parent_id: str | None) -> CellRecord:
        with self.lock:
            cell = CellRecord(source, parent_id, epoch=self.epoch)
            self.items.append(cell)
            if parent_id:
                self.by_parent[parent_id] = cell
            return cell

    def event(self, text: str) -> None:
        """A Markdown note in the record between cells (e.g. a confirmation in JupyterLab)."""
        with self.lock:
            self.items.append(CellRecord(text, None, kind="markdown", epoch=self.epoch))

    def published(self, stem: str) -> None:
        """A record of everything so far was published: what arrives from now on is a new epoch."""
        with self.lock:
            self.publications.append(Publication(stem, iso_now()))

    def output(self, msg_type: str, content: dict[str, Any], parent_id: str | None) -> None:
        """One message JupyterLab receives; outputs not sent by a cell (widget callbacks) get their own."""
        with self.lock:
            cell = self.by_parent.get(parent_id or "")
            if cell is None:
                cell = CellRecord(WIDGET_CELL, parent_id, kind="widget", epoch=self.epoch)
                self.items.append(cell)
                if parent_id:
                    self.by_parent[parent_id] = cell
            if msg_type == "clear_output":
                cell.clear()
                return
            display_id = (content.get("transient") or {}).get("display_id")
            if msg_type == "update_display_data":
                for shown in self.by_display.get(display_id or "", []):
                    shown["data"] = copy.deepcopy(content.get("data", {}))
                    shown["metadata"] = copy.deepcopy(content.get("metadata", {}))
                self._count_summary(content)
                return
            output = as_output(msg_type, content)
            if output is None:
                return
            cell.add(output, self.epoch)
            if display_id:
                self.by_display.setdefault(display_id, []).append(output)
            self._count_summary(content)

    def _count_summary(self, content: dict[str, Any]) -> None:
        if SUMMARY_MIME in (content.get("data") or {}):
            self.summaries_seen += 1

    def notebook(
        self, template: nbformat.NotebookNode | None, parameters_source: str | None
    ) -> nbformat.NotebookNode:
        """The record so far (see the module docstring)."""
        with self.lock:
            return build_notebook(self.items, template, parameters_source, list(self.publications))


def as_output(msg_type: str, content: dict[str, Any]) -> dict[str, Any] | None:
    """The notebook output of one kernel message (None for messages that are not outputs)."""
    if msg_type == "stream":
        name, text = content.get("name", "stdout"), content.get("text", "")
        return nbformat.v4.new_output("stream", name=name, text=text)
    if msg_type in ("display_data", "execute_result"):
        data, metadata = copy.deepcopy(content.get("data", {})), copy.deepcopy(content.get("metadata", {}))
        if WIDGET_MIME in data:
            data = {"text/plain": control_words(str(data.get("text/plain", "")))}
        if msg_type == "execute_result":
            return nbformat.v4.new_output(
                "execute_result", data=data, metadata=metadata, execution_count=content.get("execution_count")
            )
        return nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    if msg_type == "error":
        return nbformat.v4.new_output(
            "error",
            ename=content.get("ename", ""),
            evalue=content.get("evalue", ""),
            traceback=list(content.get("traceback", [])),
        )
    return None


def control_words(widget_repr: str) -> str:
    """What a widget's repr stands for, in words: `VBox(children=(Button(description='Apply this plan'...`
    becomes "(JupyterLab showed the control: “Apply this plan”)"."""
    labels = [label.replace("\\'", "'") for label in _DESCRIPTION.findall(widget_repr) if label]
    if not labels:
        return "(JupyterLab showed a control here)"
    return "(JupyterLab showed the control: " + ", ".join(f"“{label}”" for label in labels) + ")"


# -- the record as one run --------------------------------------------------------------------------
def build_notebook(
    items: list[CellRecord],
    template: nbformat.NotebookNode | None,
    parameters_source: str | None,
    publications: list[Publication],
) -> nbformat.NotebookNode:
    """The record: the template's metadata and introduction, the parameters, then the run (docstring)."""
    notebook = nbformat.v4.new_notebook()
    template_cells = list(template.cells) if template is not None else []
    if template is not None:
        notebook.metadata = copy.deepcopy(template.metadata)
    notebook.metadata.setdefault("zdlib", {})
    headings = headings_by_source(template_cells)
    intro, template_parameters = introduction(template_cells)
    notebook.cells.extend(copy.deepcopy(intro))
    source = parameters_source if parameters_source is not None else template_parameters
    if source is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
    notebook.cells.extend(_StoryWriter(items, headings, publications).cells())
    for number, cell in enumerate(notebook.cells):  # template cells appear more than once: ids stay unique
        cell["id"] = f"record-{number}"
    return notebook


class _StoryWriter:
    """Writes the executed items as one run: re-executed steps once, earlier outcomes marked superseded."""

    def __init__(
        self, items: list[CellRecord], headings: dict[str, list[Any]], publications: list[Publication]
    ) -> None:
        self.items, self.headings, self.publications = items, headings, publications
        self.last_summary = _last_summary(items)
        self.out: list[Any] = []
        self.previous_key: str | None = None

    def cells(self) -> list[Any]:
        replaced = _superseded(self.items, len(self.publications))
        group: list[CellRecord] = []
        for index, item in enumerate(self.items):
            if index in replaced:
                group.append(item)
                continue
            self._superseded_steps(group)
            group = []
            self._item(item, index)
        self._superseded_steps(group)
        return self.out

    def _item(self, item: CellRecord, index: int) -> None:
        if item.kind == "markdown":
            self.out.append(nbformat.v4.new_markdown_cell(item.source))
            self.previous_key = None
            return
        key = item.source.strip()
        if item.kind == "cell" and key in self.headings and key != self.previous_key:
            self.out.extend(copy.deepcopy(self.headings[key]))
        cell = _code_cell(item)
        cell.outputs = self._current_outputs(item, index)
        self.out.append(cell)
        self.previous_key = key

    def _current_outputs(self, item: CellRecord, index: int) -> list[dict[str, Any]]:
        """The item's outputs; a summary that a later one replaced becomes one superseded line, and so do
        the lines printed after it in the same epoch (the earlier publication's report)."""
        kept: list[dict[str, Any]] = []
        closed_epoch: int | None = None
        for number, (output, epoch) in enumerate(zip(item.outputs, item.epochs, strict=True)):
            if epoch == closed_epoch:
                continue
            if _is_summary(output) and (index, number) != self.last_summary:
                kept.append(self._superseded_outcome(output, epoch))
                closed_epoch = epoch
                continue
            kept.append(copy.deepcopy(output))
        return kept

    def _superseded_outcome(self, summary_output: dict[str, Any], epoch: int) -> dict[str, Any]:
        summary = (summary_output.get("data") or {}).get(SUMMARY_MIME) or {}
        text = md(
            "*Superseded:* {when} this run stood at the outcome **{outcome}**{where:raw}; it went on below, "
            "and the final outcome is at the end.",
            when=self._when(epoch),
            outcome=summary.get("outcome") or "unknown",
            where=self._where(epoch),
        )
        return nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": text})

    def _superseded_steps(self, group: list[CellRecord]) -> None:
        """One note where steps that ran again later first stood; outputs no record holds stay below it."""
        if not group:
            return
        names = list(dict.fromkeys(self._step_name(item) for item in group))
        epochs = sorted({item.epoch for item in group})
        unpublished = [item for item in group if _has_unpublished(item, len(self.publications))]
        stems = [self._stem(e) for e in epochs if self._stem(e)]
        outcomes = [
            str(o["data"][SUMMARY_MIME].get("outcome")) for i in group for o in i.outputs if _is_summary(o)
        ]
        held = md(
            " and are in record {stems}{outcome:raw}",
            stems=", ".join(stems),
            outcome=md(" (outcome {o})", o=outcomes[-1]) if outcomes else md(""),
        )
        text = md(
            "*Superseded:* {steps} ran from {at}{held:raw}. The run went on below: a step run again is shown "
            "there, and what follows is what stands{kept:raw}.",
            steps="; ".join(names),
            at=group[0].started_at,
            held=held if stems else md(""),
            kept=md(". The outputs of that first run follow, for the record") if unpublished else md(""),
        )
        self.out.append(nbformat.v4.new_markdown_cell(text))
        for item in unpublished:
            cell = _code_cell(item)
            cell.outputs = [
                self._superseded_outcome(o, e) if _is_summary(o) else copy.deepcopy(o)
                for n, (o, e) in enumerate(zip(item.outputs, item.epochs, strict=True))
                if e >= len(self.publications) and not _is_stream_after_summary(item, n)
            ]
            self.out.append(cell)
        self.previous_key = None

    def _step_name(self, item: CellRecord) -> str:
        for cell in reversed(self.headings.get(item.source.strip(), [])):
            name = heading_text(cell.source)
            if name:
                return name
        first = item.source.strip().splitlines()[0] if item.source.strip() else ""
        return f"the cell `{first[:60]}`" if first else "a cell"

    def _stem(self, epoch: int) -> str:
        return self.publications[epoch].stem if epoch < len(self.publications) else ""

    def _when(self, epoch: int) -> str:
        return f"at {self.publications[epoch].at}" if epoch < len(self.publications) else "earlier"

    def _where(self, epoch: int) -> Any:
        stem = self._stem(epoch)
        return md(" (published then as record {stem:code})", stem=stem) if stem else md("")


def _code_cell(item: CellRecord) -> Any:
    metadata = {"zdlib": {"executed_at": item.started_at}}
    return nbformat.v4.new_code_cell(item.source, execution_count=item.execution_count, metadata=metadata)


def _is_summary(output: dict[str, Any]) -> bool:
    """An outcome the run showed (its summary); checkpoints are lines of progress, never superseded."""
    summary = (output.get("data") or {}).get(SUMMARY_MIME)
    return isinstance(summary, dict) and not summary.get("checkpoint")


def _is_stream_after_summary(item: CellRecord, position: int) -> bool:
    """The output at `position` is printed text after a summary in the same cell (a publication's report)."""
    output = item.outputs[position]
    return output.get("output_type") == "stream" and any(_is_summary(o) for o in item.outputs[:position])


def _has_unpublished(item: CellRecord, epoch_now: int) -> bool:
    return any(epoch >= epoch_now for epoch in item.epochs)


def _last_summary(items: list[CellRecord]) -> tuple[int, int] | None:
    """Where the last summary (or checkpoint) shown stands: (item index, output index)."""
    found = None
    for index, item in enumerate(items):
        for number, output in enumerate(item.outputs):
            if _is_summary(output):
                found = (index, number)
    return found


def _superseded(items: list[CellRecord], published: int) -> set[int]:
    """Indexes of cells not shown as current: those executed again later (their last execution stands) and,
    in a published epoch, every cell after its first such one whose outputs that record holds (the dry run's
    tail: its verify and summary steps, when the run went on from an earlier step)."""
    last: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.kind == "cell" and item.source.strip():
            last[item.source.strip()] = index
    again = {
        index
        for index, item in enumerate(items)
        if item.kind == "cell" and item.source.strip() and last[item.source.strip()] != index
    }
    first_in_epoch: dict[int, int] = {}
    for index in sorted(again):
        if items[index].epoch < published:
            first_in_epoch.setdefault(items[index].epoch, index)
    tail = {
        index
        for index, item in enumerate(items)
        if item.kind == "cell"
        and index > first_in_epoch.get(item.epoch, len(items))
        and not _has_unpublished(item, published)
    }
    return again | tail


def introduction(cells: list[Any]) -> tuple[list[Any], str | None]:
    """The template's cells before its parameters cell (markdown only), and the parameters cell's source."""
    intro: list[Any] = []
    for cell in cells:
        if "parameters" in cell.metadata.get("tags", []):
            return intro, cell.source
        if cell.cell_type == "markdown":
            intro.append(cell)
    return [], None


def headings_by_source(cells: list[Any]) -> dict[str, list[Any]]:
    """For each code cell of the template (after the parameters cell): the markdown cells right above it."""
    found: dict[str, list[Any]] = {}
    above: list[Any] = []
    after_parameters = False
    for cell in cells:
        if cell.cell_type == "markdown":
            above.append(cell)
            continue
        if cell.cell_type == "code":
            if after_parameters:
                found.setdefault(cell.source.strip(), above)
            after_parameters = after_parameters or "parameters" in cell.metadata.get("tags", [])
        above = []
    return found


def heading_text(source: str) -> str:
    """The first Markdown heading's words ("" when there is none)."""
    for line in source.splitlines():
        if line.lstrip().startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
