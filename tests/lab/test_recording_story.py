"""An interactive record reads as one run: re-run steps once, earlier outcomes superseded, no widget reprs
(issue 20 part 1; first-use report F2, F13). Built from kernel messages, no kernel needed."""

from __future__ import annotations

import json

import nbformat

from zdlib.record.summary import SUMMARY_MIME
from zdlib.runbook.recording import Recorder, control_words

PARAMETERS = {"tags": ["parameters"]}
TEMPLATE = nbformat.v4.new_notebook(
    metadata={"zdlib": {"runbook": "demo", "version": "1.0.0", "writes": True}},
    cells=[
        nbformat.v4.new_markdown_cell("# Demo runbook"),
        nbformat.v4.new_code_cell("target: int = 1\ndry_run: bool = True", metadata=PARAMETERS),
        nbformat.v4.new_markdown_cell("## 1. Plan"),
        nbformat.v4.new_code_cell("run.plan(changes)"),
        nbformat.v4.new_markdown_cell("## 2. Apply"),
        nbformat.v4.new_code_cell("run.apply(change)"),
        nbformat.v4.new_markdown_cell("## 3. Summary"),
        nbformat.v4.new_code_cell("run.finish()"),
    ],
)
WIDGET_REPR = (
    "VBox(children=(Button(button_style='danger', description='Apply this plan', icon='check', "
    "style=ButtonStyle()), Output()))"
)


def summary(outcome: str, **extra) -> dict:
    data = {"outcome": outcome, **extra}
    return {"data": {SUMMARY_MIME: data, "text/markdown": f"### Outcome: **{outcome}**"}, "metadata": {}}


def run_cell(recorder: Recorder, source: str, msg: str, *outputs: tuple[str, dict]) -> None:
    recorder.start_cell(source, msg)
    for msg_type, content in outputs:
        recorder.output(msg_type, content, msg)


def texts(record) -> str:
    return json.dumps(record, default=str, ensure_ascii=False)


def outcomes(record) -> list[str]:
    return [
        o["data"][SUMMARY_MIME]["outcome"]
        for c in record.cells
        if c.cell_type == "code"
        for o in c.outputs
        if SUMMARY_MIME in o.get("data", {})
    ]


def dry_run_then_apply() -> Recorder:
    recorder = Recorder()
    view = {"model_id": "m"}
    widget = {"data": {"application/vnd.jupyter.widget-view+json": view, "text/plain": WIDGET_REPR}}
    run_cell(recorder, "run.plan(changes)", "p1", ("display_data", {**widget, "metadata": {}}))
    run_cell(recorder, "run.apply(change)", "a1", ("display_data", {"data": {"text/markdown": "skipped"}}))
    run_cell(
        recorder,
        "run.finish()",
        "f1",
        ("display_data", summary("planned")),
        ("stream", {"name": "stdout", "text": "outcome: planned\nrecord: /r/x.ipynb\n"}),
    )
    recorder.published("20261204T100000Z_demo_1")
    recorder.output("stream", {"name": "stdout", "text": "Apply this plan: confirmed.\n"}, "comm-1")
    run_cell(recorder, "run.apply(change)", "a2", ("display_data", {"data": {"text/markdown": "sent"}}))
    run_cell(recorder, "run.finish()", "f2", ("display_data", summary("applied")))
    return recorder


def test_steps_run_again_after_apply_appear_once_with_a_note_naming_the_earlier_record():
    record = dry_run_then_apply().notebook(TEMPLATE, None)
    nbformat.validate(record)
    shown = [c.source.splitlines()[0] for c in record.cells]
    assert shown.count("## 2. Apply") == 1 and shown.count("## 3. Summary") == 1
    assert shown.count("run.apply(change)") == 1 and shown.count("run.finish()") == 1
    assert outcomes(record) == ["applied"]
    note = next(c.source for c in record.cells if c.source.startswith("*Superseded:*")).replace("\\", "")
    assert "2. Apply; 3. Summary" in note and "20261204T100000Z_demo_1" in note
    assert "(outcome planned)" in note and "The run went on below" in note
    body = texts(record)
    assert "skipped" not in body and "outcome: planned" not in body  # the earlier record holds them
    assert "sent" in body and "Apply this plan: confirmed." in body


def test_no_widget_repr_reaches_the_record():
    body = texts(dry_run_then_apply().notebook(TEMPLATE, None))
    assert "VBox(" not in body and "Button(" not in body and "widget-view" not in body
    assert "“Apply this plan”" in body


def test_an_outcome_shown_before_a_later_one_is_marked_superseded_with_its_time_and_record():
    """revoke_token in JupyterLab: the run ends `waiting`, then "Done in Admin Center" ends it `applied`
    from the same cell (the button's output area belongs to it)."""
    recorder = Recorder()
    run_cell(
        recorder,
        "step.wait(run)",
        "w1",
        ("display_data", {"data": {"text/markdown": "Deactivate API token 3 in Admin Center"}}),
        ("display_data", summary("waiting")),
        ("stream", {"name": "stdout", "text": "outcome: waiting\n"}),
    )
    recorder.published("20261204T100000Z_revoke_token_3")
    recorder.output("display_data", summary("applied"), "w1")
    record = recorder.notebook(None, None)
    assert outcomes(record) == ["applied"]
    cell = record.cells[-1]
    first = cell.outputs[1]["data"]["text/markdown"]
    assert first.startswith("*Superseded:* at 20") and "**waiting**" in first
    assert "20261204T100000Z_revoke_token_3" in first.replace("\\", "")
    assert "outcome: waiting" not in texts(record)  # the earlier record's report goes with it
    assert "Admin Center" in cell.outputs[0]["data"]["text/markdown"]  # the steps stay


def test_a_step_run_again_before_any_record_keeps_its_first_outputs_marked_superseded():
    recorder = Recorder()
    error = {"ename": "ValueError", "evalue": "bad id", "traceback": []}
    run_cell(recorder, "run.apply(change)", "a1", ("error", error))
    run_cell(recorder, "run.apply(change)", "a2", ("display_data", {"data": {"text/markdown": "sent"}}))
    record = recorder.notebook(TEMPLATE, None)
    sources = [c.source.splitlines()[0] for c in record.cells]
    note = sources.index(next(s for s in sources if s.startswith("*Superseded:*")))
    assert "outputs of that first run follow" in record.cells[note].source
    assert record.cells[note + 1].outputs[0]["ename"] == "ValueError"  # kept: no record holds it
    assert sources[note + 2 :] == ["## 2. Apply", "run.apply(change)"]


def test_checkpoints_are_progress_lines_and_never_superseded():
    recorder = Recorder()
    checkpoint = {"data": {SUMMARY_MIME: {"outcome": "interrupted", "checkpoint": True}, "text/plain": "cp"}}
    run_cell(recorder, "run.apply(change)", "a1", ("display_data", checkpoint))
    run_cell(recorder, "run.finish()", "f1", ("display_data", summary("applied")))
    record = recorder.notebook(TEMPLATE, None)
    assert "Superseded" not in texts(record)
    assert outcomes(record) == ["interrupted", "applied"]


def test_control_words_name_every_button_of_a_widget():
    assert control_words(WIDGET_REPR) == "(JupyterLab showed the control: “Apply this plan”)"
    assert control_words("Output()") == "(JupyterLab showed a control here)"


def test_the_dry_runs_tail_goes_with_the_first_step_run_again():
    """revoke_token: the dry run ran steps 2 and 3; after "Apply this plan" only step 2 runs again (it
    waits, and a button ends the run): the dry run's summary step is not left standing as current."""
    recorder = Recorder()
    run_cell(recorder, "run.plan(changes)", "p1", ("display_data", {"data": {"text/markdown": "plan"}}))
    run_cell(recorder, "run.apply(change)", "a1")
    run_cell(recorder, "run.finish()", "f1", ("display_data", summary("planned")))
    recorder.published("r1")
    run_cell(recorder, "run.apply(change)", "a2", ("display_data", summary("waiting")))
    recorder.published("r2")
    recorder.output("display_data", summary("applied"), "comm-done")
    record = recorder.notebook(TEMPLATE, None)
    shown = [c.source.splitlines()[0] for c in record.cells]
    assert shown.count("run.finish()") == 0 and shown.count("run.apply(change)") == 1
    assert shown.count("run.plan(changes)") == 1  # before the first step run again: it stands
    note = next(c.source for c in record.cells if c.source.startswith("*Superseded:*")).replace("\\", "")
    assert "2. Apply; 3. Summary" in note and "record r1 (outcome planned)" in note
    assert outcomes(record) == ["applied"]
