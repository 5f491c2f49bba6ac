"""The run pipeline, as named stages over small records (papermill's `execute_notebook` is the model):

1. `prepare_run`: resolve the notebook, read every settings source once, check the parameters -> PreparedRun
2. `recover`: publish runs a killed runner left staged (their owner is gone)
3. `stage_run`: reserve the record's name and private stage in `records/.staging/` -> Stage
4. `start_kernel`: launch the run's kernel at once (it boots while the runner goes on) -> RunKernel
5. `execute`: papermill runs the cells on it into the stage; a stop signal ends it cleanly -> Execution
6. `publish_stage`: outcome, secret scan and redaction, HTML, files into `records/`, index line -> RunResult
   (a finished kernel exits meanwhile; a stopped or failed one is shut down first)

Stages 3-6 always end in stage 6: a run that starts ends in a published record, whatever stops it.
`run_runbook` is what `zdlib run`, `zdlib demo` and tests call.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from zdlib.record.channel import Channel, handoff_from, sandbox_handoff_from
from zdlib.record.layout import records_home, repository_of_notebook, target_slug
from zdlib.record.stage import Stage, StageMode, reserve
from zdlib.runner.credentials import Secret, configured_secrets, read_configured_values
from zdlib.runner.environment import (
    instance_overrides,
    read_env_file,
    sandbox_instance,
    with_overrides,
)
from zdlib.runner.execute import Execution, ExecutionError, execute
from zdlib.runner.guard import credential_problems
from zdlib.runner.kernel import RunKernel
from zdlib.runner.locate import RunbookNotFound, resolve_runbook
from zdlib.runner.parameters import UNSET, ParameterError, declared_parameters, validate
from zdlib.runner.progress import PROGRESS_NAME, ProgressWatch
from zdlib.runner.publish import Context, Published, publish_stage, recover
from zdlib.runner.signals import Stopped, signals_deferred, stop_signals
from zdlib.schemes import SCHEMES

RunResult = Published  # what one run produced (kept under its historical name)
KERNEL_LOG = "kernel.log"


class UsageError(Exception):
    """The run cannot start (unknown runbook, bad or secret-looking parameters); nothing was written."""


@dataclass(frozen=True)
class PreparedRun:
    """A run that passed every check made before execution."""

    notebook: Path
    runbook: str
    version: str
    parameters: dict[str, Any]
    target: Any  # the target parameter's value (the record's name keeps what identifies it)
    secrets: list[Secret]
    instance_env: dict[str, str]  # ZENDESK_* settings replacing the inherited ones ({}: inherit)
    fresh_sandbox: bool = False  # `--sandbox`: the instance is a sandbox started for this run only

    @property
    def target_text(self) -> str:
        return "" if self.target is None else str(self.target)


def prepare_run(
    runbook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    env_file: str | Path | None = None,
    instance_env: Mapping[str, str] | None = None,
) -> PreparedRun:
    """Resolve the notebook, read every settings source once and check the parameters.

    Raises UsageError (or FileNotFoundError for a missing env file) and runs nothing.
    """
    try:
        notebook = resolve_runbook(runbook)
    except RunbookNotFound as exc:
        raise UsageError(str(exc)) from exc
    chosen = {**(read_env_file(Path(env_file)) if env_file else {}), **(instance_env or {})}
    env_files = [Path.cwd() / ".env", repository_of_notebook(notebook) / ".env", notebook.parent / ".env"]
    sources = read_configured_values(env_files)
    if chosen:
        sources.append(chosen)
    secrets = configured_secrets(sources)
    _require_an_instance(sources)
    meta = nbformat.read(notebook, as_version=4).metadata.get("zdlib", {})
    positions = [str(name) for name in meta.get("position_parameters") or []]  # e.g. an export's cursor
    _refuse_credentials(parameters or {}, secrets, positions)  # first: a misplaced credential is never echoed
    try:
        declared = declared_parameters(notebook)
        checked = validate(parameters or {}, declared)
    except ParameterError as exc:
        raise UsageError(str(exc)) from exc
    _refuse_credentials(checked, secrets, positions)  # again after parsing: `-p labels '["Bearer x"]'`
    target_value = _target_value(meta.get("target_parameter"), checked, declared)
    return PreparedRun(
        notebook=notebook,
        runbook=str(meta.get("runbook") or notebook.stem),
        version=str(meta.get("version") or ""),
        parameters=checked,
        target=target_value,
        secrets=secrets,
        instance_env=chosen,
    )


def _target_value(
    names: str | list[str] | None, checked: Mapping[str, Any], declared: Mapping[str, Any]
) -> Any:
    """The first given (or defaulted) value among the notebook's target parameters that is not empty."""
    for name in [names] if isinstance(names, str) else names or []:
        value = checked.get(name)
        if value is None and name in declared:
            default = declared[name].default
            value = None if default is UNSET else default
        if value not in (None, "", 0, False):
            return value
    return None


INSTANCE_VARIABLES = ("ZENDESK_URL", "ZENDESK_SUBDOMAIN")


def _require_an_instance(sources: list[dict[str, str]]) -> None:
    """No instance or no credential configured anywhere is a usage error: nothing runs, nothing is
    published (first-use F19), and the message says where settings go."""
    merged = {k: v for source in sources for k, v in source.items() if v}
    missing = []
    if not any(merged.get(name) for name in INSTANCE_VARIABLES):
        missing.append("No Zendesk instance is set (ZENDESK_URL or ZENDESK_SUBDOMAIN).")
    if not any(all(merged.get(v) for v in scheme.variables) for scheme in SCHEMES):
        names = " or ".join(" + ".join(scheme.variables) for scheme in SCHEMES[:3])
        missing.append(f"No Zendesk credential is set ({names}).")
    if missing:
        raise UsageError(
            " ".join(missing) + " Set them in the environment, a .env file or --env-file: copy .env.example "
            "to .env and fill it in (credentials never go in parameters), or rehearse on a local sandbox "
            "with --sandbox."
        )


def _refuse_credentials(
    parameters: Mapping[str, Any], secrets: list[Secret], positions: Iterable[str] = ()
) -> None:
    problems = credential_problems(parameters, secrets, positions)
    if problems:
        raise UsageError(
            "refused: parameters are written into the record, so credentials must not be passed as "
            "parameters (the kit reads them from the environment or .env):\n" + "\n".join(problems)
        )


def run_runbook(
    runbook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    records_dir: str | Path | None = None,
    sandbox: bool = False,
    hide_input: bool = False,
    env_file: str | Path | None = None,
    instance_env: Mapping[str, str] | None = None,
    execution_timeout: int | None = None,
) -> RunResult:
    """Run one runbook and publish its record; raises UsageError (before anything runs) for bad input.

    `instance_env` (e.g. a running sandbox's `env`) or `env_file` replaces the `ZENDESK_*` settings
    the kernel would otherwise inherit; `sandbox=True` starts an ephemeral sandbox for this run.
    """
    seconds: dict[str, float] = {}
    with ExitStack() as stack:
        if sandbox:  # started first, so the guard knows the sandbox's own secrets before checking parameters
            mark = time.monotonic()
            instance_env = {**(instance_env or {}), **stack.enter_context(sandbox_instance())}
            seconds["sandbox"] = time.monotonic() - mark
        prepared = prepare_run(runbook, parameters, env_file=env_file, instance_env=instance_env)
        prepared = replace(prepared, fresh_sandbox=sandbox)
        root = repository_of_notebook(prepared.notebook)
        folder = Path(records_dir).resolve() if records_dir else records_home(root)
        recovered = recover(folder, prepared.secrets, hide_input=hide_input)
        result = run_staged(prepared, folder, hide_input=hide_input, execution_timeout=execution_timeout)
    result.recovered = recovered
    result.seconds = {**seconds, **result.seconds}
    return result


@dataclass
class _Launch:
    """What stages 3-5 have started so far: the publisher must see it whatever stops them."""

    stage: Stage | None = None
    kernel: RunKernel | None = None
    warm: threading.Thread | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def run_staged(
    prepared: PreparedRun, folder: Path, *, hide_input: bool, execution_timeout: int | None
) -> RunResult:
    """Stages 3-6: a run that reserved its stage always ends published, whatever stops it."""
    launch = _Launch()
    execution = Execution()
    try:
        with stop_signals():
            execution = _stage_and_execute(prepared, folder, launch, execution_timeout)
    except Stopped as exc:  # before or after papermill's own window: still a stopped run
        execution = Execution.stopped_by(exc.signal_name)
        if launch.stage is None:
            raise KeyboardInterrupt(exc.signal_name) from None
    except Exception as exc:
        if launch.stage is None:
            raise
        execution = Execution(ExecutionError(type(exc).__name__, str(exc)))
    finally:
        if launch.stage is not None:
            result = _seal(prepared, launch, execution, hide_input)
    return result


def _stage_and_execute(
    prepared: PreparedRun, folder: Path, launch: _Launch, execution_timeout: int | None
) -> Execution:
    """Stages 3-5: reserve the stage, start the kernel, run the cells; the kernel exits meanwhile."""
    launch.stage = stage_run(prepared, folder)
    mark = time.monotonic()
    launch.kernel = start_kernel(prepared, launch.stage)
    launch.seconds["kernel_launch"] = time.monotonic() - mark
    launch.warm = prewarm_renderer()
    watch = ProgressWatch(launch.stage.dir / PROGRESS_NAME).start()  # live lines, never the record
    try:
        execution = execute(
            prepared.notebook,
            launch.stage.ipynb,
            prepared.parameters,
            launch.kernel,
            execution_timeout=execution_timeout,
        )
    finally:
        watch.stop()
    if not execution.stopped:
        launch.kernel.request_exit()  # it exits while the record is published
    return execution


def _seal(prepared: PreparedRun, launch: _Launch, execution: Execution, hide_input: bool) -> RunResult:
    """Stage 6, with stop signals deferred: a stopped or failed kernel is gone before the record is sealed."""
    assert launch.stage is not None
    kernel = launch.kernel
    with signals_deferred() as late:
        if kernel is not None and (execution.stopped or execution.error):
            kernel.close(interrupt=bool(execution.stopped))
        if launch.warm is not None:
            launch.warm.join(timeout=30)  # never two renders at once
        result = _publish(prepared, launch.stage, execution, hide_input)
        mark = time.monotonic()
        if kernel is not None:
            kernel.close()
        launch.seconds["kernel_exit"] = time.monotonic() - mark  # what is left of it after publishing
    if late and not execution.stopped:
        result.reason += f" (a stop signal arrived while publishing: {', '.join(late)})"
    result.seconds = {**launch.seconds, **execution.seconds, **result.seconds}
    return result


def prewarm_renderer() -> threading.Thread:
    """Import the HTML renderer (nbconvert: about 1 s) and render an empty page once (first-use set-up,
    0.25 s) in the background while the kernel runs: the runner's main thread only waits for the kernel
    then, and the record is rendered as soon as it is executed."""

    def load() -> None:
        with contextlib.suppress(Exception):  # publishing imports it again and reports a failure
            from zdlib.runner.render import render_page

            render_page(nbformat.v4.new_notebook(), None)

    thread = threading.Thread(target=load, name="zdlib-prewarm-render", daemon=True)
    thread.start()
    return thread


def stage_run(prepared: PreparedRun, records_dir: Path) -> Stage:
    """Reserve the record's name and its private stage (before anything runs)."""
    return reserve(
        records_dir,
        prepared.runbook,
        prepared.target,
        datetime.now(UTC),
        mode=StageMode.HEADLESS,
        version=prepared.version,
        parameters=prepared.parameters,
    )


def start_kernel(prepared: PreparedRun, stage: Stage) -> RunKernel:
    """Launch the run's kernel in the notebook's folder, with the kit's channels pointing into the stage."""
    channel = Channel(
        stage.stem,
        stage.secrets_file,
        stage.records_dir,
        handoff_from(os.environ),
        sandbox_handoff_from(os.environ),
        progress_file=stage.dir / PROGRESS_NAME,
        operator_cwd=Path.cwd(),
        fresh_sandbox=prepared.fresh_sandbox,
    )
    overrides: dict[str, str | None] = dict(channel.as_env())
    if prepared.instance_env:
        overrides.update(instance_overrides(prepared.instance_env, os.environ))
    environ = with_overrides(os.environ, overrides)
    kernel = RunKernel(prepared.notebook.parent, environ, log=stage.dir / KERNEL_LOG)
    try:
        kernel.start()
    except BaseException:  # a stop signal or a launch failure: no half-started kernel is left behind
        kernel.close(interrupt=True)
        raise
    return kernel


def _publish(prepared: PreparedRun, stage: Stage, execution: Execution, hide_input: bool) -> RunResult:
    log = stage.dir / KERNEL_LOG
    kernel_log = log.read_text(errors="replace") if log.is_file() else ""
    context = Context(
        error=execution.error,
        stopped=execution.stopped,
        hide_input=hide_input,
        finished=datetime.now(UTC),
        template=prepared.notebook,
        repo_root=repository_of_notebook(prepared.notebook),
        environ={**os.environ, **prepared.instance_env} if prepared.instance_env else None,
    )
    result = publish_stage(stage, prepared.secrets, context)
    if result is None:  # pragma: no cover - only this process publishes a stage it owns
        raise RuntimeError(f"the stage {stage.dir} is being published by another process")
    result.kernel_log = kernel_log
    return result


__all__ = ["PreparedRun", "RunResult", "UsageError", "prepare_run", "run_runbook", "target_slug"]
