"""Publishing a staged run: outcome, secret scan (redaction in place), HTML, files into `records/`, index.

One path for every run: `zdlib run` at its end (normal, exception, Ctrl-C, SIGTERM, SIGHUP), an interactive
kernel's `finish()` (`python -m zdlib records publish STAGE_DIR`) and recovery of a stage whose owner died
(`zdlib records recover`, also at the start of `zdlib run` and `zdlib records`).

Order matters: the secrets file is read first and deleted only after the last scan; snapshots are
published first (they are the only restore source); the stage folder goes last, so a publish that dies
half-way is finished by the next recovery.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

import zdlib
from zdlib.approval.comment import comment_after_publish, should_comment
from zdlib.record.outcome import Outcome
from zdlib.record.stage import (
    LOCK_NAME,
    META_NAME,
    PUBLISH_LOCK_NAME,
    SECRETS_NAME,
    Stage,
    orphaned_stages,
    owned_here,
    publishing,
    release,
)
from zdlib.record.summary import CHECKPOINT_SUFFIX, is_checkpoint, ran_on_sandbox, read_summary
from zdlib.runner import records
from zdlib.runner.credentials import Secret, dedupe
from zdlib.runner.orphans import revoke_run_tokens
from zdlib.runner.push import PushOutcome, PushState, mark_pending, push_pending
from zdlib.runner.remote import RecordsProject, RemoteError, remote_settings
from zdlib.runner.scan import redact_file, redaction_marker, replace_secrets, run_secrets, scan_data
from zdlib.runner.summary import decide_outcome

SECRET_FOUND = "a secret was found in the record and redacted (replaced by its fingerprint)"
OWNER_GONE = "the runner ended without publishing: killed, crashed or the machine went down"


@dataclass
class Published:
    """A published run: its outcome and the files now under `records/` (absolute paths; None if absent)."""

    name: str
    runbook: str
    outcome: Outcome
    reason: str
    target: str
    records_dir: Path
    ipynb: Path | None = None
    html: Path | None = None
    side_files: list[Path] = field(default_factory=list)
    sha256: str | None = None
    summary: dict[str, Any] | None = None
    index_entry: dict[str, Any] = field(default_factory=dict)
    secret_hits: list[str] = field(default_factory=list)
    index_page: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    recovered: list[Published] = field(default_factory=list)  # runs of killed runners published first
    kernel_log: str = ""  # the kernel's own stderr (shown only when something went wrong)
    pushed: PushOutcome | None = None  # the run in the records project (None: pushing is not configured)

    @property
    def ok(self) -> bool:
        return self.outcome.succeeded

    def judged(self, verdict: Verdict) -> Published:
        """The same run with the verdict's outcome, reason and secret labels."""
        return replace(self, outcome=verdict.outcome, reason=verdict.reason, secret_hits=list(verdict.hits))

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


@dataclass(frozen=True)
class Context:
    """What the publisher knows beyond the stage: the execution's error, how it stopped, options."""

    error: object | None = None
    stopped: str | None = None
    hide_input: bool = False
    finished: datetime | None = None
    #: rewrite papermill's absolute paths: (the template notebook, the repository root)
    template: Path | None = None
    repo_root: Path | None = None
    #: the kernel's environment, for the GitLab comment-back (None: os.environ and the nearest .env)
    environ: Mapping[str, str] | None = None


def publish_stage(stage: Stage, secrets: list[Secret], context: Context = Context()) -> Published | None:
    """Publish one staged run; None when another process is publishing it right now."""
    with publishing(stage) as mine:
        if not mine or not (stage.meta_file.exists() or stage.record_files()):
            return None  # another publisher has it, or has just finished it
        return _publish(stage, secrets, context)


def recover(records_dir: Path, secrets: list[Secret], *, hide_input: bool = False) -> list[Published]:
    """Publish every stage whose owner is gone, as `interrupted` unless its notebook holds a final summary."""
    done = []
    for stage in orphaned_stages(records_dir):
        stopped = OWNER_GONE + _revoked_note(*revoke_run_tokens(stage.secrets_file, _stage_instance(stage)))
        result = publish_stage(stage, secrets, Context(stopped=stopped, hide_input=hide_input))
        if result is not None:
            done.append(result)
    return done


def _publish(stage: Stage, secrets: list[Secret], context: Context) -> Published:
    """judge -> scan -> render -> move and index -> index page: each stage returns the next verdict."""
    clock = _Clock()
    with clock("outcome"):
        meta = stage.meta()
        secrets = dedupe([*secrets, *run_secrets(stage.secrets_file)])
        nb, verdict, recorded = judge(stage, meta, context)
    with clock("scan"):
        verdict, recorded = scan_stage(stage, secrets, recorded, verdict, context)
    with clock("html"):
        verdict = render_stage(stage, secrets, verdict, context) if nb is not None else verdict
    with clock("publish"):
        result = move_and_index(stage, secrets, meta, recorded, verdict, context)
    with clock("index_page"):
        index_page = write_index_page(stage.records_dir)
    with clock("push"):
        pushed = push_published(result, secrets, context)
    return replace(result, index_page=index_page, seconds=clock.seconds, pushed=pushed)


def push_published(result: Published, secrets: list[Secret], context: Context) -> PushOutcome | None:
    """Mark the run pending and send every pending run to the records project (zdlib.runner.push); a
    failure leaves them pending and changes nothing else (the outcome stands, the record is published)."""
    if not result.index_entry:
        return None
    try:
        settings = remote_settings(context.environ)
    except RemoteError as exc:
        mark_pending(result.records_dir, result.name)
        return PushOutcome(result.name, PushState.PENDING, str(exc))
    if settings is None:
        return None
    mark_pending(result.records_dir, result.name)
    values = [secret.value for secret in secrets]
    outcomes = push_pending(result.records_dir, settings, values, environ=context.environ)
    mine = next((o for o in outcomes if o.name == result.name), None)
    comment = result.index_entry.get("approval_comment") or {}
    if mine is not None and not mine.state.done and comment.get("note_id"):
        approval = result.index_entry.get("approval") or {}  # its comment linked the record: tell it later
        mark_pending(result.records_dir, result.name, str(approval.get("access_request_url") or ""))
    return mine


def _record_links(result: Published, recorded: Mapping[str, Any], context: Context) -> dict[str, str] | None:
    """The record's pages in the records project for the comment (None: not configured, or no comment
    due; {}: configured but unreachable, so the comment says the record is pending)."""
    if not should_comment(recorded, str(result.outcome)):
        return None
    try:
        settings = remote_settings(context.environ)
        project = RecordsProject(settings) if settings is not None else None
    except RemoteError:
        return {}
    if project is None:
        return None
    files = (("html", result.html), ("ipynb", result.ipynb))
    return {kind: project.url(path.name) for kind, path in files if path is not None}


@dataclass(frozen=True)
class Verdict:
    """The runner's judgement of a run: its outcome, the reason, and every secret label found so far."""

    outcome: Outcome
    reason: str
    hits: tuple[str, ...] = ()

    def found(self, labels: Iterable[str], where: str = "") -> Verdict:
        """Secrets found (and redacted): the first find fails the run and says so first."""
        labels = sorted(set(labels))
        if not labels:
            return self
        hits = tuple(sorted({*self.hits, *labels}))
        if self.hits:  # the run already failed for a secret, and its reason says so
            return replace(self, hits=hits)
        return Verdict(
            Outcome.FAILED, _join(f"{SECRET_FOUND}{where}: {', '.join(labels)}", self.reason), hits
        )

    def noted(self, *notes: str) -> Verdict:
        """The same verdict with what else happened while publishing said after its reason."""
        return replace(self, reason=_join(self.reason, *notes))


def judge(
    stage: Stage, meta: Mapping[str, Any], context: Context
) -> tuple[Any | None, Verdict, dict[str, Any]]:
    """The outcome from the kit's last summary (or its durable checkpoint), written into the notebook."""
    nb = _read_notebook(stage.ipynb)
    summary = read_summary(nb) if nb is not None else None
    if summary is None or is_checkpoint(summary):  # the kit's durable copy is the newest checkpoint
        summary = _checkpoint_file(stage) or summary
    verdict = Verdict(*decide_outcome(summary, context.error, stopped=context.stopped))
    if nb is None and stage.ipynb.exists():
        verdict = verdict.noted("(the notebook file could not be read; it is kept as it was)")
    recorded = _recorded_summary(summary, meta, stage, verdict)
    if nb is not None:
        _write_record(nb, recorded, stage, context)
    return nb, verdict, recorded


def scan_stage(
    stage: Stage, secrets: list[Secret], recorded: dict[str, Any], verdict: Verdict, context: Context
) -> tuple[Verdict, dict[str, Any]]:
    """Every record file scanned for every secret; a hit is redacted in place and fails the run."""
    files = [p for p in stage.record_files() if p.suffix != ".html"]
    hits = sorted({label for path in files for label in redact_file(path, secrets)})
    if not hits:
        return verdict, recorded
    verdict = verdict.found(hits)
    recorded = {**replace_secrets(recorded, secrets), "outcome": verdict.outcome, "reason": verdict.reason}
    recorded["secret_redacted"] = hits
    nb = _read_notebook(stage.ipynb)
    if nb is not None:
        _write_record(nb, recorded, stage, context, redacted=hits)
        redact_file(stage.ipynb, secrets)
    return verdict, recorded


def render_stage(stage: Stage, secrets: list[Secret], verdict: Verdict, context: Context) -> Verdict:
    """The HTML record, scanned too; a rendering failure is noted (the notebook is the record)."""
    html, note = _render(stage, context)
    if html is not None:
        verdict = verdict.found(redact_file(html, secrets), " (HTML)")
    return verdict.noted(note)


def move_and_index(
    stage: Stage,
    secrets: list[Secret],
    meta: Mapping[str, Any],
    recorded: dict[str, Any],
    verdict: Verdict,
    context: Context,
) -> Published:
    """Files into `records/`, the comment on the access request, then the run's index line (scanned)."""
    published = _move_files(stage)
    ipynb = published.get(stage.ipynb.name)
    html_path = published.get(f"{stage.name}.html")
    target = meta.get("target") if meta.get("target") is not None else recorded.get("target") or ""
    result = Published(
        name=stage.name,
        runbook=str(recorded.get("runbook") or meta.get("runbook") or ""),
        outcome=verdict.outcome,
        reason=verdict.reason,
        target=str(target),
        records_dir=stage.records_dir,
        ipynb=ipynb,
        html=html_path,
        side_files=[path for path in published.values() if path not in (ipynb, html_path)],
        sha256=records.sha256_file(ipynb) if ipynb else None,
        summary=recorded,
    ).judged(verdict)
    comment = _comment_back(result, recorded, secrets, context)
    if comment is not None:
        verdict = verdict.noted(_comment_said(comment))
    finished = context.finished or datetime.now(UTC)

    def entry_for(judged: Published) -> dict[str, Any]:
        entry = index_entry(judged, recorded, meta, finished, published)
        return entry if comment is None else {**entry, "approval_comment": comment}

    result = result.judged(verdict)
    entry = entry_for(result)
    entry_hits = scan_data(entry, secrets)
    if entry_hits:
        result = result.judged(verdict.found(f"{label} in index line" for label in entry_hits))
        entry = replace_secrets(entry_for(result), secrets)
    written = records.append_index(stage.records_dir, entry)
    # what the terminal prints is what the index holds: a secret echoed into the reason (by GitLab, a
    # proxy, Zendesk) is redacted there as in the record (security re-test 2026-12-04 M3)
    result = replace(result, index_entry=written, reason=str(written.get("reason") or ""))
    _remove_stage(stage)
    return result


def _comment_back(
    result: Published, recorded: dict[str, Any], secrets: list[Secret], context: Context
) -> dict[str, Any] | None:
    """Post the outcome on the access-request issue once (zdlib.approval.comment); a failure never undoes
    the change: it is said in the index line's reason and `approval_comment`."""
    name = result.ipynb.name if result.ipynb else ""
    values = [s.value for s in secrets]
    links = _record_links(result, recorded, context)
    return comment_after_publish(
        recorded, result.outcome, name, result.sha256, values, context.environ, links=links
    )


def _comment_said(comment: Mapping[str, Any]) -> str:
    if comment.get("note_id"):
        return f"Comment {comment['note_id']} posted on the access request."
    return f"The access request was not commented on ({comment.get('error')})."


class _Clock:
    """Seconds per publishing stage (BENCHMARKS.md, workload 5)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        mark = time.monotonic()
        try:
            yield
        finally:
            self.seconds[stage] = time.monotonic() - mark


def _join(*parts: str) -> str:
    """Sentences of a reason, each ending once: "1 change applied. Comment 9 posted." (never `.;`)."""
    sentences = [part.strip() for part in parts if part and part.strip()]
    ended = [s if s.endswith((".", "!", "?", ")")) else f"{s}." for s in sentences[:-1]]
    return " ".join([*ended, *sentences[-1:]])


def _stage_instance(stage: Stage) -> str | None:
    """The instance a staged run talked to, from its last summary or checkpoint."""
    nb = _read_notebook(stage.ipynb)
    summary = (read_summary(nb) if nb is not None else None) or _checkpoint_file(stage) or {}
    return summary.get("instance")


def _revoked_note(revoked: int, left: int) -> str:
    if not revoked and not left:
        return ""
    note = f"; the run's own client-credentials token(s) revoked at recovery: {revoked}"
    return note + (f", NOT revoked: {left} (they expire on their own)" if left else "")


def _checkpoint_file(stage: Stage) -> dict[str, Any] | None:
    """`<name>.checkpoint.json`, the kit's last checkpoint (written with fsync before each write)."""
    try:
        data = json.loads(stage.side_file(CHECKPOINT_SUFFIX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {**data, "checkpoint": True} if isinstance(data, dict) else None


def _read_notebook(path: Path) -> Any | None:
    if not path.is_file():
        return None
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # truncated by a crash mid-write: published as is, outcome says so
        return None


def _recorded_summary(
    summary: dict[str, Any] | None, meta: Mapping[str, Any], stage: Stage, verdict: Verdict
) -> dict[str, Any]:
    """The kit's last summary with the runner's verdict; side-file paths as they will be published."""
    recorded = dict(summary or {"runbook": meta.get("runbook"), "version": meta.get("version")})
    recorded.pop("checkpoint", None)
    outcome, reason = verdict.outcome, verdict.reason
    if summary is not None and (summary.get("outcome"), summary.get("reason") or "") != (outcome, reason):
        recorded["kit_outcome"] = summary.get("outcome")
    recorded["outcome"], recorded["reason"] = str(outcome), reason
    recorded["run_mode"] = meta.get("mode")  # headless/interactive; "mode" is the kit's (read-only...)
    files = recorded.get("files")
    if isinstance(files, list):
        recorded["files"] = [
            str(stage.records_dir / Path(f).name) if isinstance(f, str) and Path(f).parent == stage.dir else f
            for f in files
        ]
    return recorded


def _write_record(
    nb: Any, recorded: dict[str, Any], stage: Stage, context: Context, redacted: list[str] | None = None
) -> None:
    nb.metadata.setdefault("zdlib", {})["summary"] = recorded
    if redacted and not nb.metadata["zdlib"].get("secret_redacted"):
        nb.metadata["zdlib"]["secret_redacted"] = redacted
        nb.cells.insert(
            0,
            nbformat.v4.new_markdown_cell(
                "**A secret was found in this record and redacted**: every occurrence was replaced by "
                "`[secret redacted: <label> <fingerprint>]` (" + ", ".join(redacted) + "). The run is "
                "marked failed: rotate the secret if this record was ever shared."
            ),
        )
    _relative_papermill_paths(nb, stage, context)
    nbformat.write(nb, stage.ipynb)


def _relative_papermill_paths(nb: Any, stage: Stage, context: Context) -> None:
    """papermill stores absolute paths (user names, stage folders): keep them relative to the repo."""
    meta = nb.metadata.get("papermill")
    if not meta:
        return
    record = stage.records_dir / stage.ipynb.name
    root = context.repo_root
    for key, path in (("input_path", context.template), ("output_path", record)):
        path = path or Path(str(meta.get(key) or ""))  # recovery: only what papermill wrote is known
        meta[key] = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name


def _render(stage: Stage, context: Context) -> tuple[Path | None, str]:
    """The HTML beside the notebook; a failure is noted (the .ipynb is the record, HTML a convenience)."""
    html = stage.side_file("html")
    try:
        from zdlib.runner.render import render_html

        render_html(stage.ipynb, html, hide_input=context.hide_input)
    except Exception as exc:
        html.unlink(missing_ok=True)
        return None, f"HTML not rendered: {type(exc).__name__}: {exc}"
    return html, ""


def _move_files(stage: Stage) -> dict[str, Path]:
    """Every record file into `records/` (snapshots first, the notebook and its HTML last)."""

    def order(path: Path) -> tuple[int, str]:
        if ".snapshot-" in path.name:
            return 0, path.name
        if path.suffix in (".ipynb", ".html") and path.stem == stage.name:
            return 2, path.name
        return 1, path.name

    return {p.name: records.publish(p, stage.records_dir) for p in sorted(stage.record_files(), key=order)}


def _remove_stage(stage: Stage) -> None:
    """The stage is empty of records now: drop its secrets file, meta and locks, then the folder."""
    owned = owned_here(stage)
    for name in (SECRETS_NAME, META_NAME, "kernel.log", "progress.jsonl"):  # runner.progress.PROGRESS_NAME
        (stage.dir / name).unlink(missing_ok=True)
    if owned:
        release(stage)
    for name in (LOCK_NAME, PUBLISH_LOCK_NAME):
        (stage.dir / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # anything unexpected left is kept, never deleted
        stage.dir.rmdir()


def index_entry(
    result: Published,
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
    finished: datetime,
    published: Mapping[str, Path],
) -> dict[str, Any]:
    """One line of `index.jsonl` (paths relative to the index's folder); changes, request ids and the
    operator are always kept (a secret in them is redacted, never a reason to drop them)."""
    instance = summary.get("instance")
    return {
        "name": result.name,
        "runbook": result.runbook,
        "version": meta.get("version") or summary.get("version") or "",
        "target": result.target,
        "parameters": meta.get("parameters") or {},
        "mode": meta.get("mode"),
        "operator": summary.get("operator"),
        "instance": instance,
        "sandbox": ran_on_sandbox(summary),
        "approval": summary.get("approval"),
        "auth_kind": summary.get("auth_kind"),
        "credential_fingerprint": summary.get("credential_fingerprint"),
        "started_at": meta.get("started_at") or summary.get("started_at"),
        "finished_at": records.iso_utc(finished),
        "instance_started_at": summary.get("instance_started_at"),
        "outcome": str(result.outcome),
        "reason": result.reason,
        "changes": summary.get("changes") or [],
        "request_ids": summary.get("request_ids") or [],
        "audit_log_ids": summary.get("audit_log_ids") or [],
        "records": {
            "ipynb": result.ipynb.name if result.ipynb else None,
            "html": result.html.name if result.html else None,
            "side_files": [p.name for p in result.side_files],
        },
        "sha256": result.sha256,
        "hashes": {name: records.sha256_file(path) for name, path in published.items()},
        "secret_hits": result.secret_hits,
        "zdlib_version": zdlib.__version__,
    }


def write_index_page(records_dir: Path) -> Path | None:
    """Rebuild `records/index.html`; None when it could not be written (the index line already is)."""
    from zdlib.runner.index_page import write_index_page as write  # nbconvert-free, but only when publishing

    try:
        return write(records_dir)
    except Exception:  # the index line is written; a broken page must not fail the run's record
        return None


__all__ = ["Context", "Published", "publish_stage", "recover", "redaction_marker", "write_index_page"]
