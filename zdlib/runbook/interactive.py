"""A JupyterLab run is a first-class run: staged in the records folder, recorded as executed, published.

`begin(run)` (called by `start_run` in a kernel the runner does not drive) reserves a stage in the records
folder (`$ZDLIB_RECORDS_DIR`, set by `zdlib lab`, else `<repository>/records`), points side files and the
secrets channel at it, and records every cell executed from then on, with its outputs, as the kernel sends
them to JupyterLab (so the record does not depend on anyone saving the notebook). After each cell the
record so far is written to the stage, so a kernel that dies leaves it for `zdlib records recover`.

`run.finish()` calls `publish()`: the record is written with the template's metadata and handed to the
runner's publisher in a subprocess (`python -m zdlib records publish STAGE`; the kit never imports the
runner), which scans, redacts, renders and indexes it exactly as for a headless run. The run may go on
(JupyterLab: "Apply this plan", then the cells below): a fresh stage takes what follows, and the next
`finish()` publishes a record of everything executed since `start_run`.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from zdlib.record.channel import RECORDS_VARIABLE
from zdlib.record.layout import repository_of, write_private
from zdlib.record.stage import Stage, StageMode, release, reserve
from zdlib.runbook import files
from zdlib.runbook.display import headless
from zdlib.runbook.recording import WIDGET_CELL, Recorder, introduction

__all__ = ["WIDGET_CELL", "InteractiveRun", "Recorder", "begin"]

if TYPE_CHECKING:
    from zdlib.runbook.run import Run

PUBLISH_TIMEOUT_S = 300
OUTPUT_TYPES = {"stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"}


def template_notebook(runbook: str, environ: Any = None) -> nbformat.NotebookNode | None:
    """The notebook this kernel runs (JupyterLab names it in `JPY_SESSION_NAME`) when it is this runbook's,
    else the committed template `notebooks/<runbook>.ipynb`; None when neither can be read."""
    env = os.environ if environ is None else environ
    candidates = [Path(env["JPY_SESSION_NAME"])] if env.get("JPY_SESSION_NAME") else []
    root = repository_of(runbook)
    if root is not None:
        candidates.append(root / "notebooks" / f"{runbook}.ipynb")
    for path in candidates:
        try:
            notebook = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            continue
        if notebook.metadata.get("zdlib", {}).get("runbook") == runbook:
            return notebook
    return None


def parameter_names(source: str) -> set[str] | None:
    """The names a parameters cell assigns (`x: int = 1`, `x = 1`); None if it holds anything else."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            names.update(t.id for t in node.targets)  # type: ignore[union-attr]
        else:
            return None
    return names


def executed_parameters(history: list[str], template_source: str | None) -> str | None:
    """The parameters cell as it was last executed in this kernel (the operator's values, verbatim)."""
    wanted = parameter_names(template_source or "")
    if not wanted:
        return None
    for source in reversed(history):
        if source.strip() and parameter_names(source) == wanted:
            return source
    return None


# -- the kernel hooks ------------------------------------------------------------------------------
class KernelTap:
    """Installed once per kernel: cell boundaries from IPython's events, outputs from the kernel's session
    (every message JupyterLab receives), forwarded to the recording of the current run."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.current: InteractiveRun | None = None
        session = shell.kernel.session
        original = session.send

        def send(stream: Any, msg_or_type: Any, content: Any = None, parent: Any = None, *a: Any, **k: Any):
            with contextlib.suppress(Exception):  # recording must never break the kernel
                self._seen(msg_or_type, content, parent)
            return original(stream, msg_or_type, content, parent, *a, **k)

        session.send = send
        shell.events.register("pre_run_cell", self._pre_run_cell)
        shell.events.register("post_run_cell", self._post_run_cell)
        atexit.register(self._at_exit)

    def _seen(self, msg_or_type: Any, content: Any, parent: Any) -> None:
        run = self.current
        if run is None:
            return
        if isinstance(msg_or_type, dict):  # a message built beforehand (the display hook does this)
            msg_type = msg_or_type.get("msg_type") or (msg_or_type.get("header") or {}).get("msg_type")
            content = msg_or_type.get("content")
            parent = parent if parent is not None else msg_or_type.get("parent_header")
        else:
            msg_type = msg_or_type
        if msg_type in OUTPUT_TYPES and isinstance(content, dict):
            run.recorder.output(msg_type, content, _message_id(parent))

    def parent_id(self) -> str | None:
        kernel = self.shell.kernel
        getter = getattr(kernel, "get_parent", None)
        parent = getter() if callable(getter) else getattr(self.shell, "parent_header", None)
        return _message_id(parent)

    def current_code(self) -> str:
        kernel = self.shell.kernel
        getter = getattr(kernel, "get_parent", None)
        parent = getter() if callable(getter) else {}
        return str(((parent or {}).get("content") or {}).get("code", ""))

    def _pre_run_cell(self, info: Any) -> None:
        if self.current is not None:
            self.current.cell_started(getattr(info, "raw_cell", ""), self.parent_id(), self.execution_count())

    def execution_count(self) -> int | None:
        """The number JupyterLab shows for the cell now running (`In [n]`)."""
        count = getattr(self.shell, "execution_count", None)
        return count if isinstance(count, int) else None

    def _post_run_cell(self, result: Any) -> None:
        if self.current is not None:
            self.current.cell_finished(getattr(result, "execution_count", None))

    def _at_exit(self) -> None:
        if self.current is not None:
            self.current.close()


def _message_id(parent: Any) -> str | None:
    if not isinstance(parent, dict):
        return None
    header = parent.get("header")
    if isinstance(header, dict):
        return header.get("msg_id")
    return parent.get("msg_id")


_TAP: KernelTap | None = None


def _kernel_shell() -> Any:
    """The IPython shell of a Jupyter kernel, or None (a script, a plain IPython terminal, a test)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return shell if kernel is not None and hasattr(kernel, "session") else None


# -- one interactive run ---------------------------------------------------------------------------
class InteractiveRun:
    """A run in JupyterLab: its stage, its recording and its publication (see the module docstring)."""

    def __init__(self, run: Run, tap: KernelTap, records_dir: Path) -> None:
        self.run, self.tap, self.records_dir = run, tap, records_dir
        self.recorder = Recorder()
        self.template = template_notebook(run.runbook)
        self.parameters_source = executed_parameters(_history(tap.shell), _template_parameters(self.template))
        self.stage: Stage | None = None
        self.published: list[str] = []  # the stages published so far
        self.summaries_at_publish = -1  # recorder.summaries_seen when the last record was published
        self.closed = False
        self._new_stage()
        first = self.recorder.start_cell(tap.current_code(), tap.parent_id())  # the start_run cell itself
        first.execution_count = tap.execution_count()

    # stage ------------------------------------------------------------------------------------
    def _new_stage(self) -> Stage:
        """Reserve a stage; side files and new secrets of the run go there from now on."""
        run = self.run
        previous = self.stage
        stage = reserve(
            self.records_dir,
            run.runbook,
            run.target,
            run.started_at,
            mode=StageMode.INTERACTIVE,
            version=run.version,
            parameters=run.parameters,
        )
        if previous is not None and previous.secrets_file.exists():  # the record still holds every cell
            with contextlib.suppress(OSError):
                _append_private(stage.secrets_file, previous.secrets_file.read_text(encoding="utf-8"))
        self.stage = stage
        run.stem = stage.stem
        own = replace(files.channel(), secrets_file=stage.secrets_file, records_dir=self.records_dir)
        files.use_channel(own)  # one records folder for every kit look-up; new secrets into this stage
        return stage

    # recording --------------------------------------------------------------------------------
    def cell_started(self, source: str, parent_id: str | None, execution_count: int | None) -> None:
        if not self.closed:
            self.recorder.start_cell(source, parent_id).execution_count = execution_count

    def cell_finished(self, execution_count: int | None) -> None:
        if self.closed:
            return
        with self.recorder.lock:
            cell = self.recorder.by_parent.get(self.tap.parent_id() or "")
            if cell is not None and execution_count is not None:
                cell.execution_count = execution_count
        _flush_streams()
        if self._worth_keeping():
            self.write()

    def event(self, text: str) -> None:
        """A note between cells in the record (for example: "Apply this plan" was confirmed)."""
        self.recorder.event(text)

    def _worth_keeping(self) -> bool:
        """A never-published stage always is; a later one once a summary, checkpoint or side file is new."""
        if not self.published:
            return True
        stage = self.stage
        side_files = stage is not None and any(p != stage.ipynb for p in stage.record_files())
        return self.recorder.summaries_seen > self.summaries_at_publish or side_files

    def notebook(self) -> nbformat.NotebookNode:
        return self.recorder.notebook(self.template, self.parameters_source)

    def write(self) -> Path | None:
        """Write the record so far into the stage (atomically, 0600): what survives a dead kernel."""
        stage = self.stage
        if stage is None or not stage.dir.is_dir():
            return None
        temporary = stage.dir / f".{stage.name}.ipynb.partial"
        write_private(temporary, nbformat.writes(self.notebook()))
        os.replace(temporary, stage.ipynb)
        return stage.ipynb

    # publishing -------------------------------------------------------------------------------
    def publish(self) -> subprocess.CompletedProcess[str] | None:
        """Write the record and publish its stage through the runner; a fresh stage takes what follows."""
        if self.closed or self.stage is None:
            return None
        _flush_streams()
        stage = self.stage
        self.write()
        self.summaries_at_publish = self.recorder.summaries_seen
        self.published.append(stage.name)
        self._new_stage()
        result = publish_stage(stage)
        _report(result)
        _flush_streams()
        self.recorder.published(stage.name)  # the report above belongs to that record's epoch
        return result

    def close(self) -> None:
        """End this recording (a new `start_run`, or the kernel stops): publish what is worth keeping."""
        if self.closed:
            return
        stage = self.stage
        if stage is not None:
            if self._worth_keeping():
                _flush_streams()
                self.write()
                _report(publish_stage(stage))
            else:
                discard_stage(stage)
        self.closed = True
        self.stage = None


def publish_stage(stage: Stage) -> subprocess.CompletedProcess[str]:
    """`python -m zdlib records publish STAGE` in a subprocess, after handing it the stage's ownership."""
    release(stage)
    command = [sys.executable, "-m", "zdlib", "records", "publish", str(stage.dir)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=PUBLISH_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        reason = f"publishing {stage.dir} did not complete: {error}"
        return subprocess.CompletedProcess(command, 1, "", reason)


def discard_stage(stage: Stage) -> None:
    """Remove a stage that holds nothing worth a record (no new cell output, no side file)."""
    release(stage)
    for path in (stage.ipynb, stage.secrets_file, stage.meta_file, stage.lock_file):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    with contextlib.suppress(OSError):
        stage.dir.rmdir()  # left in place (and published later) if anything else is in it


def _report(result: subprocess.CompletedProcess[str]) -> None:
    """Tell the operator where the record is (the publisher's own words), or why it is not there."""
    text = (result.stdout or "").strip()
    if result.returncode == 0 or text:
        print(text or "Record published.")
    if result.returncode not in (0,) and result.stderr:
        print(result.stderr.strip(), file=sys.stderr)


def _append_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(text)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _history(shell: Any) -> list[str]:
    try:
        return [str(s) for s in shell.history_manager.input_hist_raw]
    except AttributeError:
        return []


def _template_parameters(template: nbformat.NotebookNode | None) -> str | None:
    return introduction(list(template.cells))[1] if template is not None else None


def begin(run: Run) -> InteractiveRun | None:
    """Start recording `run` when it runs in a Jupyter kernel that the runner does not drive, else None.

    A run started before in this kernel ends here: what it did since its last record is published.
    """
    global _TAP
    if headless():
        return None  # the runner stages, records and publishes
    shell = _kernel_shell()
    if shell is None:
        return None
    if _TAP is None:
        _TAP = KernelTap(shell)
    if _TAP.current is not None:
        _TAP.current.close()
        _TAP.current = None
    records = files.records_dir(run.runbook)
    try:
        current = InteractiveRun(run, _TAP, records)
    except OSError as error:
        raise RuntimeError(
            f"This run cannot be recorded: the records folder {records} cannot hold its stage ({error}). "
            f"Nothing was done. Make it writable, or set {RECORDS_VARIABLE} to a folder you own."
        ) from error
    _TAP.current = current
    return current
