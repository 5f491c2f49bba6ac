"""The record of a JupyterLab run, built from what the kernel sent (no kernel needed here)."""

from __future__ import annotations

import nbformat

from zdlib.record.layout import runbook_records
from zdlib.record.summary import SUMMARY_MIME
from zdlib.runbook import interactive

PARAMETERS = {"tags": ["parameters"]}
TEMPLATE = nbformat.v4.new_notebook(
    metadata={"zdlib": {"runbook": "demo", "version": "1.0.0", "writes": True}},
    cells=[
        nbformat.v4.new_markdown_cell("# Demo runbook"),
        nbformat.v4.new_code_cell("target: int = 1  # required\ndry_run: bool = True", metadata=PARAMETERS),
        nbformat.v4.new_markdown_cell("## 1. Start"),
        nbformat.v4.new_code_cell("run = start()"),
        nbformat.v4.new_markdown_cell("## 2. Finish"),
        nbformat.v4.new_code_cell("run.finish()"),
    ],
)


def test_the_record_holds_every_executed_cell_with_its_outputs_after_the_template_headings():
    recorder = interactive.Recorder()
    recorder.start_cell("run = start()", "m1")
    recorder.output("stream", {"name": "stdout", "text": "a"}, "m1")
    recorder.output("stream", {"name": "stdout", "text": "b\n"}, "m1")  # merged, as JupyterLab shows it
    header = {"data": {"text/markdown": "Mode: dry run"}, "metadata": {}, "transient": {"display_id": "h"}}
    recorder.output("display_data", header, "m1")
    recorder.start_cell("run.finish()", "m2")
    recorder.output("display_data", {"data": {SUMMARY_MIME: {"outcome": "planned"}}, "metadata": {}}, "m2")
    recorder.output("stream", {"name": "stdout", "text": "confirmed\n"}, "comm-1")  # a button's callback
    recorder.output("update_display_data", {**header, "data": {"text/markdown": "Mode: apply"}}, "comm-1")
    recorder.start_cell("1/0", "m3")
    error = {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}
    recorder.output("error", error, "m3")
    assert recorder.summaries_seen == 1

    parameters = interactive.executed_parameters(
        ["x = 1", "target = 42\ndry_run = False", "run = start()"], TEMPLATE.cells[1].source
    )
    assert parameters == "target = 42\ndry_run = False"
    record = recorder.notebook(TEMPLATE, parameters)
    nbformat.validate(record)
    assert record.metadata["zdlib"]["runbook"] == "demo"
    assert [(c.cell_type, c.source.splitlines()[0]) for c in record.cells] == [
        ("markdown", "# Demo runbook"),
        ("code", "target = 42"),
        ("markdown", "## 1. Start"),
        ("code", "run = start()"),
        ("markdown", "## 2. Finish"),
        ("code", "run.finish()"),
        ("code", interactive.WIDGET_CELL),
        ("code", "1/0"),
    ]
    assert record.cells[1].metadata["tags"] == ["parameters"]
    start = record.cells[3]
    assert start.outputs[0]["text"] == "ab\n" and start.outputs[1]["data"]["text/markdown"] == "Mode: apply"
    assert record.cells[6].outputs[0]["text"] == "confirmed\n"
    assert record.cells[7].outputs[0]["ename"] == "ZeroDivisionError"
    assert len({c.id for c in record.cells}) == len(record.cells)


def test_records_live_at_the_repository_root_never_under_notebooks(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    nbformat.write(TEMPLATE, tmp_path / "notebooks" / "demo.ipynb")
    monkeypatch.chdir(tmp_path / "notebooks")  # where a kernel of `jupyter lab notebooks/` runs
    assert runbook_records("demo", environ={}) == tmp_path / "records"
    configured = {"ZDLIB_RECORDS_DIR": str(tmp_path / "r")}
    assert runbook_records("demo", environ=configured) == tmp_path / "r"
    assert interactive.template_notebook("demo", environ={}).metadata["zdlib"]["version"] == "1.0.0"


def test_outside_a_kernel_or_under_the_runner_nothing_is_recorded(monkeypatch):
    monkeypatch.delenv("ZDLIB_RECORD_STEM", raising=False)
    assert interactive.begin(object()) is None  # pytest is no Jupyter kernel
    monkeypatch.setenv("ZDLIB_RECORD_STEM", "/tmp/x")
    assert interactive.begin(object()) is None
