"""The run pipeline: check parameters, execute privately, read the outcome, scan, publish, index.

`run_runbook` is what `zdlib run`, `zdlib demo` and tests call.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

import zdlib
from zdlib.runner import records
from zdlib.runner.credentials import Secret, configured_secrets, dedupe, read_configured_values
from zdlib.runner.environment import (
    instance_overrides,
    patched_environ,
    read_env_file,
    runner_variables,
    sandbox_instance,
)
from zdlib.runner.execute import execute
from zdlib.runner.guard import credential_problems
from zdlib.runner.locate import RunbookNotFound, default_records_dir, repo_root_for, resolve_runbook
from zdlib.runner.parameters import UNSET, ParameterError, declared_parameters, validate
from zdlib.runner.scan import Hit, run_secrets, scan_data, scan_files
from zdlib.runner.summary import SUCCESS_OUTCOMES, decide_outcome, read_summary

SECRET_FOUND = "secret found in record"


class UsageError(Exception):
    """The run cannot start (unknown runbook, bad or secret-looking parameters); nothing was written."""


@dataclass
class RunResult:
    """What one run produced. Paths are absolute; missing files are None."""

    runbook: str
    outcome: str
    reason: str
    target: str
    records_dir: Path
    ipynb: Path | None = None
    html: Path | None = None
    side_files: list[Path] = field(default_factory=list)
    sha256: str | None = None
    summary: dict[str, Any] | None = None
    index_entry: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESS_OUTCOMES

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


@dataclass(frozen=True)
class PreparedRun:
    """A run that passed every check made before execution."""

    notebook: Path
    runbook: str
    version: str
    parameters: dict[str, Any]
    target: str
    secrets: list[Secret]


def prepare_run(
    runbook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    env_file: str | Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> PreparedRun:
    """Resolve the notebook and check the parameters; raises UsageError and runs nothing."""
    try:
        notebook = resolve_runbook(runbook)
    except RunbookNotFound as exc:
        raise UsageError(str(exc)) from exc
    env_files = [Path(env_file)] if env_file else []
    env_files += [Path.cwd() / ".env", repo_root_for(notebook) / ".env", notebook.parent / ".env"]
    sources = read_configured_values(env_files)
    if extra_env:
        sources.append(dict(extra_env))
    secrets = configured_secrets(sources)
    _refuse_credentials(parameters or {}, secrets)  # first, so a misplaced credential is never echoed
    try:
        declared = declared_parameters(notebook)
        checked = validate(parameters or {}, declared)
    except ParameterError as exc:
        raise UsageError(str(exc)) from exc
    _refuse_credentials(checked, secrets)  # again after parsing: `-p labels '["Bearer x"]'`
    meta = nbformat.read(notebook, as_version=4).metadata.get("zdlib", {})
    target_value = _target_value(meta.get("target_parameter"), checked, declared)
    return PreparedRun(
        notebook=notebook,
        runbook=str(meta.get("runbook") or notebook.stem),
        version=str(meta.get("version") or ""),
        parameters=checked,
        target=records.slugify(target_value),
        secrets=secrets,
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


def _refuse_credentials(parameters: Mapping[str, Any], secrets: list[Secret]) -> None:
    problems = credential_problems(parameters, secrets)
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
    """Run one runbook and keep its record; raises UsageError (before anything runs) for bad input.

    `instance_env` (e.g. a running sandbox's `env`) or `env_file` replaces the `ZENDESK_*` settings
    the kernel would otherwise inherit; `sandbox=True` starts an ephemeral sandbox for this run.
    """
    file_env = read_env_file(Path(env_file)) if env_file else {}
    prepared = prepare_run(
        runbook, parameters, env_file=env_file, extra_env={**file_env, **(instance_env or {})}
    )
    target_dir = Path(records_dir) if records_dir else default_records_dir(prepared.notebook)
    target_dir = target_dir.resolve()
    with ExitStack() as stack:
        chosen_env: dict[str, str] | None = {**file_env, **(instance_env or {})} or None
        if sandbox:
            chosen_env = {**(chosen_env or {}), **stack.enter_context(sandbox_instance())}
        private = Path(tempfile.mkdtemp(prefix="zdlib-run-"))
        stack.callback(shutil.rmtree, private, ignore_errors=True)
        return _execute_and_record(prepared, target_dir, private, chosen_env, hide_input, execution_timeout)
    raise AssertionError("unreachable")  # pragma: no cover


def _execute_and_record(
    prepared: PreparedRun,
    records_dir: Path,
    private: Path,
    instance_env: Mapping[str, str] | None,
    hide_input: bool,
    execution_timeout: int | None,
) -> RunResult:
    os.chmod(private, 0o700)
    started = datetime.now(UTC)
    name = records.unique_name(records_dir, records.record_name(started, prepared.runbook, prepared.target))
    secrets_file = private / "run-secrets.jsonl"
    os.close(os.open(secrets_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    output = private / f"{name}.ipynb"
    overrides: dict[str, str | None] = dict(runner_variables(private / name, secrets_file, os.environ))
    if instance_env:
        overrides.update(instance_overrides(instance_env, os.environ))
    with patched_environ(overrides):
        error = execute(prepared.notebook, output, prepared.parameters, execution_timeout=execution_timeout)
    finished = datetime.now(UTC)

    summary: dict[str, Any] | None = None
    html: Path | None = None
    notes: list[str] = []
    if output.is_file():
        nb = nbformat.read(output, as_version=4)
        summary = read_summary(nb)
        outcome, reason = decide_outcome(summary, error)
        summary = _recorded_summary(summary, prepared, outcome, reason, private, records_dir)
        nb.metadata.setdefault("zdlib", {})["summary"] = summary
        _relative_papermill_paths(nb, prepared.notebook, records_dir / output.name)
        nbformat.write(nb, output)
        html = private / f"{name}.html"
        try:
            from zdlib.runner.render import render_html

            render_html(output, html, hide_input=hide_input)
        except Exception as exc:  # the .ipynb is the record; the HTML is a convenience
            html = None
            notes.append(f"HTML not rendered: {type(exc).__name__}: {exc}")
    else:
        outcome, reason = decide_outcome(None, error)

    side_files = sorted(p for p in private.glob(f"{records.glob_escape(name)}.*") if p not in (output, html))
    candidates = [p for p in (output if output.is_file() else None, html, *side_files) if p]
    secrets = dedupe([*prepared.secrets, *run_secrets(secrets_file)])
    hits = scan_files(candidates, secrets)
    if hits:
        outcome, reason = "failed", SECRET_FOUND
        _discard(hits, output, html)

    published = {p: records.publish(p, records_dir) for p in candidates if p.exists()}
    ipynb_path, html_path = published.get(output), published.get(html) if html else None
    side_paths = [published[p] for p in side_files if p in published]
    result = RunResult(
        runbook=prepared.runbook,
        outcome=outcome,
        reason="; ".join([reason, *notes]) if notes else reason,
        target=prepared.target,
        records_dir=records_dir,
        ipynb=ipynb_path,
        html=html_path,
        side_files=side_paths,
        sha256=records.sha256_file(ipynb_path) if ipynb_path else None,
        summary=summary if not hits else None,
    )
    result.index_entry = _index_entry(prepared, result, summary, started, finished, hits)
    entry_hits = scan_index_entry(result.index_entry, secrets)
    if entry_hits:
        result.outcome, result.reason = "failed", SECRET_FOUND
        result.index_entry = _index_entry(prepared, result, None, started, finished, hits)
    records.append_index(records_dir, result.index_entry)
    return result


def _discard(hits: list[Hit], output: Path, html: Path | None) -> None:
    """Delete every file that holds a secret; the notebook and its HTML go together."""
    doomed = {hit.path for hit in hits}
    if doomed & {output, html}:
        doomed |= {output, html} - {None}
    for path in doomed:
        if path is not None:
            path.unlink(missing_ok=True)


def scan_index_entry(entry: Mapping[str, Any], secrets: list[Secret]) -> bool:
    """True when the index line itself would carry a secret (e.g. in a change's before/after)."""
    return bool(scan_data(json.loads(json.dumps(entry, default=str)), secrets))


def _recorded_summary(
    summary: dict[str, Any] | None,
    prepared: PreparedRun,
    outcome: str,
    reason: str,
    private: Path,
    records_dir: Path,
) -> dict[str, Any]:
    """The kit's summary with the runner's verdict, and side-file paths as they will be published."""
    recorded = dict(summary or {"runbook": prepared.runbook, "version": prepared.version})
    if summary is not None and (summary.get("outcome"), summary.get("reason") or "") != (outcome, reason):
        recorded["kit_outcome"] = summary.get("outcome")
    recorded["outcome"], recorded["reason"] = outcome, reason
    files = recorded.get("files")
    if isinstance(files, list):
        recorded["files"] = [
            str(records_dir / Path(f).relative_to(private))
            if isinstance(f, str) and Path(f).is_relative_to(private)
            else f
            for f in files
        ]
    return recorded


def _relative_papermill_paths(nb: Any, notebook: Path, record: Path) -> None:
    """papermill stores absolute paths (user names, temp folders): keep them relative to the repo."""
    meta = nb.metadata.get("papermill")
    if not meta:
        return
    root = repo_root_for(notebook)
    for key, path in (("input_path", notebook), ("output_path", record)):
        meta[key] = str(path.relative_to(root)) if path.is_relative_to(root) else path.name


def _index_entry(
    prepared: PreparedRun,
    result: RunResult,
    summary: dict[str, Any] | None,
    started: datetime,
    finished: datetime,
    hits: list[Hit],
) -> dict[str, Any]:
    """One line of `index.jsonl`; paths are relative to the index's folder."""
    summary = summary if not hits else None
    summary = summary or {}

    def name(path: Path | None) -> str | None:
        return path.name if path else None

    return {
        "runbook": prepared.runbook,
        "version": prepared.version or summary.get("version", ""),
        "target": prepared.target,
        "parameters": prepared.parameters,
        "operator": summary.get("operator"),
        "instance": summary.get("instance"),
        "auth_kind": summary.get("auth_kind"),
        "credential_fingerprint": summary.get("credential_fingerprint"),
        "started_at": records.iso_utc(started),
        "finished_at": records.iso_utc(finished),
        "outcome": result.outcome,
        "reason": result.reason,
        "changes": summary.get("changes", []),
        "request_ids": summary.get("request_ids", []),
        "audit_log_ids": summary.get("audit_log_ids", []),
        "records": {
            "ipynb": name(result.ipynb),
            "html": name(result.html),
            "side_files": [p.name for p in result.side_files],
        },
        "sha256": result.sha256,
        "secret_hits": sorted({f"{hit.label} in {hit.path.suffix or hit.path.name}" for hit in hits}),
        "zdlib_version": zdlib.__version__,
    }
