"""A runbook run: header, approval gate, plan, snapshot, apply, verify, audit cross-check, summary."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn

from IPython.display import Markdown as MarkdownOutput
from IPython.display import display

import zdlib
from zdlib.errors import NotFound, PermissionDenied, ZdlibError, ZendeskError
from zdlib.instance import is_sandbox
from zdlib.record.markup import Markdown, bullets, md
from zdlib.record.outcome import ChangeStatus, Mode, Outcome
from zdlib.record.summary import SUMMARY_MIME
from zdlib.redact import redact_text
from zdlib.runbook import changes as ch
from zdlib.runbook.approval import Approval
from zdlib.runbook.display import headless, note, plan_table, table, table_output, warn
from zdlib.runbook.errors import Failed, Refused, RunbookStop
from zdlib.runbook.files import record_stem, side_path, write_checkpoint, write_side_file
from zdlib.runbook.gate import ApprovalGate, plan_too_old
from zdlib.runbook.progress_lines import progress_file
from zdlib.runbook.state import RunState, outcome_of_changes
from zdlib.runbook.summary import show_checkpoint, show_summary


#: What a run whose write's answer was lost advises by default: a re-run reads the state first.
def _parameter_value(value: Any) -> str:
    """A parameter as the operator typed it: text as it is ("(empty)" for none), others as Python writes
    them (`False`, `12345`), so `dry_run False` reads as typed."""
    if isinstance(value, str):
        return value or "(empty)"
    return repr(value)


DRY_RUN_NOTE_HEADLESS = (
    "**Dry run**: the plan above will not be applied. To apply it, run again with `-p dry_run False` and the "
    "access request's approvals (`-p access_request_url ...`, `-p approved_by ...`, `-p reviewed_by ...`)."
)
DRY_RUN_NOTE_LAB = (
    "**Dry run**: the plan above will not be applied. To apply it here: write the access request's URL, "
    "`approved_by` and `reviewed_by` in the parameters cell (keep `dry_run = True`) and run all again. Once "
    "the approval checks out, an **Apply this plan** button appears under the approval gate."
)
NO_BUTTON_YET = (
    "No **Apply this plan** button is shown until the approval holds: fix what is listed, in the "
    "parameters cell or on the access request, then run all again."
)
PRESS_APPLY = (
    "The approval holds: press **Apply this plan** below, then run the cells after this one (click "
    "the next cell, then Run > Run Selected Cell and All Below). The approval is read again at the "
    "press and before every write."
)
PRESSED_APPLY = (
    "**Apply this plan** was pressed at {at}: the approval, read again then, held (it is read again before "
    "every write). What the cells below did is in their outputs and the outcome."
)
RERUN_ADVICE = "Re-run this runbook: it reads the current state first and only does what is left."


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Run:
    """One execution of a runbook; every notebook step goes through it so the record stays complete."""

    def __init__(
        self,
        runbook: str,
        version: str,
        parameters: dict[str, Any],
        client: Any,
        *,
        target: Any = None,
        writes: bool = True,
    ):
        self.runbook = runbook
        self.version = version
        self.parameters = dict(parameters)
        self.client = client
        self.target = target
        self.state = RunState(Mode.of(writes=writes, dry_run=bool(parameters.get("dry_run", True))))
        self.started_at = _now()
        self.finished_at: datetime | None = None
        self.operator: dict[str, Any] = {}
        self.request_ids: list[str] = []
        self.audit_log_ids: list[Any] = []
        self.files: list[str] = []
        self.gate: ApprovalGate | None = None
        self.sandbox = False  # set by identify(): the instance proved it is the local sandbox
        self.planned_at: datetime | None = None  # when the latest plan was made (JupyterLab's plan age)
        self.facts: dict[str, Any] = {}
        self.stem = record_stem(runbook)
        self.instance_started_at = self.started_at
        self.interactive: Any = None  # a JupyterLab run's recorder (zdlib.runbook.interactive), else None
        self._shown = _Shown()

    # -- the state (zdlib.runbook.state) ---------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self.state.mode

    @property
    def dry_run(self) -> bool:
        return self.state.mode is Mode.DRY_RUN

    @property
    def writes(self) -> bool:
        return self.state.mode is not Mode.READ_ONLY

    @property
    def changes(self) -> list[ch.Change]:
        return self.state.changes

    @property
    def outcome(self) -> Outcome | None:
        """The outcome the last `finish()` concluded (None before it)."""
        return None if self.state.concluded is None else self.state.concluded.outcome

    @property
    def reason(self) -> str:
        return "" if self.state.concluded is None else self.state.concluded.reason

    @property
    def approval(self) -> Approval | None:
        """The approval evidence as last read (None before `require_approval`)."""
        return None if self.gate is None else self.gate.evidence

    def declare(self, outcome: Outcome, reason: str) -> None:
        """A step states how the run ends; it stands until the mode or a change moves (see `finish`)."""
        self.state.declare(outcome, reason)

    # -- identity and header -------------------------------------------------------------------
    def identify(self) -> dict[str, Any]:
        """Who is acting: `/users/me` with the configured credential; an anonymous answer is refused."""
        response = self.client.request("GET", "/api/v2/users/me")
        self.instance_started_at = _server_time(response) or self.started_at
        me = response.json().get("user") or {}
        if not me.get("id"):
            self.refuse(
                f"The credential for {self.client.base_url} was not accepted (Zendesk answered as an "
                "anonymous user). Check ZENDESK_EMAIL and the credential in the environment or .env."
            )
        self.operator = {k: me.get(k) for k in ("id", "name", "email", "role")}
        self.sandbox = is_sandbox(self.client.base_url)  # proven by the sandbox's key, never by the URL
        return self.operator

    def show_header(self) -> None:
        """The run header: what runs, where, as whom, with what; its mode is kept current (see `_refresh`)."""
        self._shown.header = display(MarkdownOutput(self._header_markdown()), display_id=True)
        if self.parameters:
            table([{"parameter": k, "value": _parameter_value(v)} for k, v in self.parameters.items()])

    def _header_markdown(self) -> str:
        op = self.operator
        rows = [
            ("Runbook", md("{runbook:code} version {version}", runbook=self.runbook, version=self.version)),
            (
                "Instance",
                f"{self.client.base_url}"
                + (" (the local sandbox, proven by its key)" if self.sandbox else ""),
            ),
            ("Operator", f"{op.get('name')} <{op.get('email')}> (role: {op.get('role')}, id {op.get('id')})"),
            ("Credential", f"{self.client.auth_kind} ({self.client.credential_fingerprint})"),
            ("Started (UTC)", self.started_at.isoformat().replace("+00:00", "Z")),
            ("zdlib", zdlib.__version__),
            ("Mode", _mode_text(self)),
        ]
        return Markdown("\n".join(["| | |", "|---|---|", *[md("| {k} | {v} |", k=k, v=v) for k, v in rows]]))

    def read_only(self) -> None:
        """Declare that this run only reads (e.g. a GET through api_request): its outcome is no-op."""
        self.state.read_only()

    # -- gates ---------------------------------------------------------------------------------
    def require_approval(
        self,
        access_request_url: str,
        approved_by: str,
        reviewed_by: str = "",
        approval_source: str = "",
    ) -> str:
        """Check the approval where it lives before any change; returns the normalized request URL.

        An applied run with any problem is refused; a dry run always runs on and shows what an applied run
        would check and what it found. Use the returned URL from here on (it is the one that was checked).
        """
        self.gate = ApprovalGate.open(self, access_request_url, approved_by, reviewed_by, approval_source)
        evidence = self.gate.evidence
        self._show_approval(evidence)
        if evidence.ok:
            planned = any(c.status is ChangeStatus.PLANNED for c in self.changes)
            if self.dry_run and planned and not headless():
                self.show_confirm_control()
            return evidence.access_request_url
        if self.dry_run:
            warn(
                "An applied run would be refused until the approval holds:\n\n{problems}{how:raw}",
                problems=bullets(evidence.problems),
                how=md("") if headless() else md("\n\n" + NO_BUTTON_YET),
            )
            return evidence.access_request_url
        self.refuse(
            "No change was made because the approval does not hold:\n"
            + "\n".join(f"- {p}" for p in evidence.problems)
        )

    def _show_approval(self, evidence: Approval) -> None:
        """What was checked, where, and what was found (also in the summary's `approval`)."""
        if evidence.source == "manual":
            warn(
                "Approval NOT verified: request {url:url}, approved by {approved_by}, reviewed by "
                "{reviewed_by} (typed by the operator; no approval source was asked).",
                url=evidence.access_request_url,
                approved_by=evidence.approved_by,
                reviewed_by=evidence.reviewed_by,
            )
            return
        note(
            "Approval source: GitLab at {gitlab} (policy {policy}). An applied run checks that:\n\n{checks}",
            gitlab=evidence.gitlab_url,
            policy=(evidence.policy or {}).get("file", "?"),
            checks=bullets(evidence.checks),
        )
        issue, event = evidence.issue or {}, evidence.label_event or {}
        rows = [
            ("access request", evidence.access_request_url),
            ("issue", f"{issue.get('title')!r}, {issue.get('state')}, by {issue.get('author')}"
             if issue else "-"),
            ("label event", f"{event.get('id')}: {event.get('action')} {event.get('label')!r} by "
             f"{event.get('user')} at {event.get('created_at')}" if event else "-"),
            ("approved by (named manager)", evidence.approved_by),
            ("reviewed by", evidence.reviewed_by),
            ("operator (GitLab token's user)", evidence.operator or "-"),
            ("verdict", "verified" if evidence.verified
             else f"NOT verified: {len(evidence.problems)} problem(s)"),
        ]  # fmt: skip
        table([{"checked": k, "found": v} for k, v in rows])

    def show_confirm_control(self) -> Any:
        """JupyterLab only: a button that turns this approved dry run into an applied one for the next cells.

        The change itself still happens in the ordinary apply cell, so the saved notebook keeps every output.
        """
        import ipywidgets as widgets

        button = widgets.Button(
            description="Apply this plan",
            button_style="danger",
            icon="check",
            layout=widgets.Layout(width="auto"),
            tooltip="Re-reads the approval, then the cells below apply and verify the plan",
        )
        output = widgets.Output()
        guidance = display(MarkdownOutput(PRESS_APPLY), display_id=True)  # past tense once pressed

        def confirm(_: Any) -> None:
            refusal = self._confirm_refusal()
            if refusal:
                with output:
                    print(refusal)
                return
            self.state.confirm()
            self.facts["confirmed_in_jupyterlab_at"] = _iso(_now())
            button.disabled = True
            self._refresh()  # the header and the plan now say "apply", in the notebook and its record
            if guidance is not None:  # the record keeps history, not an instruction already followed
                guidance.update(
                    MarkdownOutput(PRESSED_APPLY.format(at=self.facts["confirmed_in_jupyterlab_at"]))
                )
            with output:
                print(
                    f"Apply this plan: confirmed at {self.facts['confirmed_in_jupyterlab_at']}. "
                    "Run the cells below to apply and verify it."
                )

        button.on_click(confirm)
        control = widgets.VBox([button, output])
        display(control)
        return control

    def _confirm_refusal(self) -> str:
        """Why "Apply this plan" may not turn this dry run into an applied one now ("" when it may): the
        plan is too old, or the approval, read again at the press, no longer holds."""
        stale = plan_too_old(self.planned_at, self.approval, _now())
        if stale or self.gate is None:
            return stale or "No approval was checked: run the notebook from the top."
        evidence = self.gate.reread(self)
        if evidence.problems:
            return (
                f"Nothing was applied: the approval, read again at {evidence.checked_at or _iso(_now())}, no "
                "longer holds:\n" + "\n".join(f"- {p}" for p in evidence.problems)
            )
        return ""

    def refuse(self, reason: str) -> NoReturn:
        """Stop before any change, with the reason in the summary."""
        self._stop(Refused(reason))

    def fail(self, reason: str) -> NoReturn:
        """Stop because something went wrong; the summary says what is known."""
        self._stop(Failed(reason))

    def _stop(self, stop: RunbookStop) -> NoReturn:
        self.declare(Outcome(stop.outcome), stop.reason)
        self.finish()
        raise stop

    # -- reading -------------------------------------------------------------------------------
    def fetch(
        self, what: str, getter: Callable[[], dict], *, hint: str = "", deleted: tuple[str, Any] | None = None
    ) -> dict | None:
        """Read one object; a missing one fails the run with the id, the instance and what to check.

        With `deleted=(source_type, source_id)`, an object that the audit log shows as deleted is
        reported and `None` is returned, so re-running a deletion is a no-op rather than an error.
        """
        try:
            return getter()
        except NotFound as error:
            entry = self.deletion_entry(*deleted) if deleted else None
            if entry is not None:
                self.audit_log_ids.append(entry.get("id"))
                note(
                    "{what} is already deleted (audit log entry {entry}: deleted by {actor} at {at}).",
                    what=what,
                    entry=entry.get("id"),
                    actor=entry.get("actor_name") or entry.get("actor_id"),
                    at=entry.get("created_at"),
                )
                return None
            self.fail(f"{what} was not found on {self.client.base_url} ({_error_ref(error)}). {hint}".strip())

    def deletion_entry(self, source_type: str, source_id: Any) -> dict | None:
        """The audit log entry of an object's deletion, however long ago (None if there is none)."""
        try:
            return self.client.audit_logs.about(source_id, source_types=source_type, action="destroy")
        except PermissionDenied:
            return None

    @staticmethod
    def exists(getter: Callable[[], Any]) -> bool:
        """True if the object can be read, False if Zendesk answers 404."""
        try:
            getter()
        except NotFound:
            return False
        return True

    # -- plan, snapshot, apply, verify ---------------------------------------------------------
    def plan(self, changes: list[ch.Change]) -> None:
        """Record and show the plan; changes already in the desired state are no-ops."""
        self.state.add(changes)
        self.planned_at = _now()
        shown = _PlanShown(changes, display(table_output(plan_table(changes)), raw=True, display_id=True))
        shown.note = display(MarkdownOutput(self._plan_note(changes)), display_id=True)
        self._shown.plans.append(shown)

    def _plan_note(self, changes: list[ch.Change]) -> str:
        """What the plan's note says for the state the run is in now."""
        statuses = [c.status for c in changes]
        confirmed = self.facts.get("confirmed_in_jupyterlab_at")
        if changes and all(s == ChangeStatus.NOOP for s in statuses):
            return "Everything is already in the desired state: nothing to do (no-op)."
        if self.dry_run:
            return DRY_RUN_NOTE_HEADLESS if headless() else DRY_RUN_NOTE_LAB
        if ChangeStatus.PENDING in statuses:
            stopped = self.outcome is not None and self.outcome != Outcome.APPLIED
            if stopped:
                return md(
                    "**Not applied**: the run ended {outcome} before this plan was applied (see the summary)",
                    outcome=self.outcome,
                )
            if confirmed:
                return md(
                    "**Apply**: confirmed in JupyterLab at {at}; the cells below apply it.",
                    at=confirmed,
                )
            return "**Apply**: the steps below apply this plan once the approval holds."
        counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
        how = md(" (confirmed in JupyterLab at {at})", at=confirmed) if confirmed else md("")
        return md(
            "**Applied**{how:raw}: the statuses above are the state at the end ({counts}).",
            how=how,
            counts=counts,
        )

    def _refresh(self) -> None:
        """Bring the header and every plan shown so far up to date (a display update, in place)."""
        if self._shown.header is not None:
            self._shown.header.update(MarkdownOutput(self._header_markdown()))
        for shown in self._shown.plans:
            if shown.table is not None:
                shown.table.update(table_output(plan_table(shown.changes)), raw=True)
            if shown.note is not None:
                shown.note.update(MarkdownOutput(self._plan_note(shown.changes)))

    @property
    def pending(self) -> list[ch.Change]:
        """Changes that an applied run still has to make."""
        return self.state.pending

    def adopt(self, changes: list[ch.Change]) -> None:
        """Changes found while applying (e.g. tokens minted after the plan) join the run without a new
        plan table; the caller shows what they are."""
        self.state.add(changes)

    def snapshot(self, name: str, obj: Any) -> str:
        """Save the full object before a change (secrets removed) next to the record."""
        path = write_side_file(self.stem, f"snapshot-{name}", obj)
        ending = f".snapshot-{name}.json"  # taken again (JupyterLab: after "Apply this plan"): the new one
        self.files = [f for f in self.files if not f.endswith(ending)] + [str(path)]
        note("Snapshot saved next to the record: {name:code}", name=path.name)
        return str(path)

    def side_file(self, name: str) -> str:
        """A path next to the record for an export (CSV, JSON); registered in the summary."""
        path = side_path(self.stem, name)
        self.files.append(str(path))
        return str(path)

    def apply(
        self, change: ch.Change, action: Callable[[], Any], *, if_unknown: str = "", on_zendesk: bool = True
    ) -> Any:
        """Make one planned change, unless it is a dry run or a no-op; keep the request id.

        `if_unknown` replaces the advice given when the answer is lost (the default: re-run, which reads
        the state first); a write that cannot be looked up, such as a POST, must not advise a re-run.
        `on_zendesk=False`: the write goes elsewhere (a GitLab note), so no Zendesk request id is its own.
        """
        if change.status != ChangeStatus.PENDING:
            return None
        if self.gate is None or not self.gate.evidence.ok:  # every write goes through the one gate
            self.refuse(
                f"No change was made: {change.object} {change.id} was about to change before an approval "
                "was checked. The runbook must call run.require_approval(...) before its first change."
            )
        self._recheck_before(change)
        what = f"{change.object} {change.id} `{change.field}`"
        redo = if_unknown or RERUN_ADVICE
        self._checkpoint(
            f"Checkpoint: sending the change of {what} ({change.before!r} -> {change.after!r}).",
            f"the change of {what} ({change.before!r} -> {change.after!r}) was being sent; its answer "
            f"was not seen, so whether it was made is unknown. {redo}",
        )
        try:
            result = action()
        except ZendeskError as error:
            change.failed(request_id=error.request_id)
            self._remember_request(error.request_id)
            self.fail(f"Changing {change.object} {change.id} failed: {error}")
        except ZdlibError as error:
            change.failed()
            self.fail(
                f"Changing {change.object} {change.id} failed and its state is unknown: {error}. {redo}"
            )
        change.sent(self.client.last_request_id if on_zendesk else None)
        self._remember_request(change.request_id)
        self._checkpoint(
            f"Checkpoint: {what} changed (request id {change.request_id}); verification follows.",
            f"{what} was changed (request id {change.request_id}) and not yet verified. Re-run this "
            "runbook to verify: it finds the change in place and reports a no-op.",
        )
        return result

    def sent_so_far(self) -> str:
        """One sentence naming the changes this run has sent, for a run stopped between writes."""
        sent = [c.label for c in self.changes if c.status in (ChangeStatus.APPLIED, ChangeStatus.VERIFIED)]
        return f"Already sent in this run: {', '.join(sent)}." if sent else "Nothing was sent in this run."

    def _recheck_before(self, change: ch.Change) -> None:
        """Read the approval again right before this write; refuse, sending nothing more, if it changed."""
        assert self.gate is not None
        evidence = self.gate.reread(self)
        if evidence.ok:
            note(
                "Approval read again before sending {what}: it still holds (checked at {at}).",
                what=change.label,
                at=evidence.checked_at or _iso(_now()),
            )
            return
        already = self.sent_so_far()
        self.refuse(
            f"{change.label} was not sent: the approval, read again right before the write "
            f"(at {evidence.checked_at or _iso(_now())}), no longer holds:\n"
            + "\n".join(f"- {p}" for p in evidence.problems)
            + f"\n{already} Have the access request approved again, then re-run."
        )

    def _checkpoint(self, line: str, reason_if_stopped: str) -> None:
        """Leave the state so far in the record: if the run dies now, the record still says what was sent.

        The runner publishes a run whose last summary is a checkpoint as `interrupted` with this reason.
        """
        self.finished_at = _now()
        checkpoint = {**self.summary(Outcome.INTERRUPTED, reason_if_stopped), "checkpoint": True}
        write_checkpoint(self.stem, checkpoint)  # survives a SIGKILL mid-cell (the notebook may not)
        show_checkpoint(checkpoint, line)

    def position(self, line: str, reason_if_stopped: str) -> None:
        """Where a long read has got to, kept current: one displayed line updated in place (not one more
        output a page) that carries the summary as it stands, and the same checkpoint on disk. A run stopped
        now (Ctrl-C, a kill) is published `interrupted` with `reason_if_stopped`; `finish()` supersedes it.
        """
        self.finished_at = _now()
        checkpoint = {**self.summary(Outcome.INTERRUPTED, reason_if_stopped), "checkpoint": True}
        write_checkpoint(self.stem, checkpoint)
        bundle = {SUMMARY_MIME: checkpoint, "text/plain": line}
        if self._shown.position is None:
            self._shown.position = display(bundle, raw=True, display_id=True)
        else:
            self._shown.position.update(bundle, raw=True)

    def verify(self, change: ch.Change, actual: Any) -> bool:
        """Compare the value read back after the change with the plan."""
        if change.status not in (ChangeStatus.APPLIED, ChangeStatus.NOOP):
            return change.status == ChangeStatus.PLANNED
        if actual == change.after:
            if change.status == ChangeStatus.APPLIED:
                change.verified()
            return True
        change.failed(f"read back {actual!r}, expected {change.after!r}")
        self.fail(f"Verification failed for {change.object} {change.id} `{change.field}`: {change.note}.")

    def find_audit_entry(self, source_type: str, source_id: Any, action: str | None = None) -> None:
        """Cross-check an applied change with the instance's audit log (Enterprise only)."""
        if not any(c.status in (ChangeStatus.APPLIED, ChangeStatus.VERIFIED) for c in self.changes):
            note("Nothing was applied in this run, so there is no audit log entry to look for.")
            return
        self.audit_entry(source_type, source_id, action)

    def audit_entry(
        self, source_type: str | tuple[str, ...] | None, source_id: Any, action: str | None = None
    ) -> dict | None:
        """The newest audit log entry for an object since shortly before the run started; warns if none.

        The window is judged on the instance's clock (its `Date` header at the start), never this machine's.
        Only an entry whose `source_id` is the object's counts (`AuditLogs.about`). `source_type` may name
        several types (API tokens: `apitoken`, `api_token`); `None` reads the window's entries of `action`
        and matches the id (for objects whose audit type Zendesk does not document, such as OAuth tokens
        and clients: the OAS allows `filter[source_id]` only with `filter[source_type]`).
        """
        since = self.instance_started_at - timedelta(minutes=1)
        types = (source_type,) if isinstance(source_type, str) else tuple(source_type or ())
        try:
            entry = self.client.audit_logs.about(source_id, source_types=types, action=action, since=since)
        except PermissionDenied:
            note("The audit log is not available to this credential or plan (Enterprise only): not checked.")
            return None
        if entry is None or _stamp(entry.get("created_at")) < since:
            warn(
                "No audit log entry ({action}) found for {kind} {id} since the run started.",
                action=action or "any action",
                kind=" or ".join(types) or "object",
                id=source_id,
            )
            return None
        self.audit_log_ids.append(entry.get("id"))
        note(
            "Audit log entry {entry}: {action} of {kind} {id} by {actor} at {at}: {description}",
            entry=entry.get("id"),
            action=entry.get("action"),
            kind=entry.get("source_type"),
            id=entry.get("source_id"),
            actor=entry.get("actor_name") or entry.get("actor_id"),
            at=entry.get("created_at"),
            description=entry.get("change_description"),
        )
        return entry

    def _remember_request(self, request_id: str | None) -> None:
        if request_id and request_id not in self.request_ids:
            self.request_ids.append(request_id)

    # -- the end -------------------------------------------------------------------------------
    def decide_outcome(self) -> Outcome:
        """The outcome the state of the changes shows: failed, waiting, applied, planned or no-op."""
        return outcome_of_changes(self.changes, self.mode)

    def finish(self, reason: str = "") -> None:
        """State the outcome as things are now, show the summary, and (in JupyterLab) publish the record.

        It may run more than once (JupyterLab: Run All, then "Apply this plan" and the cells below): each
        time the outcome is decided afresh (`RunState.decide`): a declared one stands while nothing moved.
        """
        self.state.conclude(reason)
        self.finished_at = _now()
        self._refresh()
        show_summary(self.summary())
        self.release_credential()
        if self.interactive is not None:
            self.interactive.publish()

    @property
    def changed_since_finish(self) -> bool:
        """True before the first `finish()`, or when the mode or a change moved since the last one."""
        return self.state.moved_since_conclusion

    def release_credential(self) -> None:
        """Revoke the run's own client-credentials token (idempotent); the client stays usable and a
        later call mints a new token. Other credential kinds are left alone."""
        release = getattr(self.client, "release_token", None)
        if callable(release):
            with suppress(Exception):  # the client logs why; the token expires on its own
                release()

    def summary(self, outcome: Outcome | None = None, reason: str | None = None) -> dict[str, Any]:
        """The run as JSON (no secrets: ids, fingerprints and states only); a checkpoint gives the outcome
        and reason it would end with if stopped there."""
        return {
            "runbook": self.runbook,
            "version": self.version,
            "outcome": outcome or self.outcome,
            "reason": self.reason if reason is None else reason,
            "target": None if self.target is None else str(self.target),
            "instance": self.client.base_url,
            "sandbox": self.sandbox,
            "operator": self.operator,
            "auth_kind": self.client.auth_kind,
            "credential_fingerprint": self.client.credential_fingerprint,
            "dry_run": self.dry_run,
            "mode": self.mode,
            "approval": None if self.approval is None else self.approval.as_record(),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "instance_started_at": _iso(self.instance_started_at),  # the instance's clock (Date header)
            "changes": [c.as_record() for c in self.changes],
            "request_ids": self.request_ids,
            "audit_log_ids": self.audit_log_ids,
            "files": self.files,
            "facts": self.facts,
        }


def _server_time(response: Any) -> datetime | None:
    """The instance's clock, from the `Date` header (a sandbox may run on another date)."""
    try:
        return parsedate_to_datetime(response.headers["date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return None


def _stamp(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _mode_text(run: Run) -> Markdown:
    mode = run.mode
    if mode is Mode.READ_ONLY:
        return Markdown("read-only: this runbook changes nothing")
    if mode is Mode.DRY_RUN:
        return Markdown("dry run: nothing will change")
    confirmed = run.facts.get("confirmed_in_jupyterlab_at")
    if confirmed:
        return md('**apply**: confirmed in JupyterLab at {at} ("Apply this plan")', at=confirmed)
    return Markdown("**apply**: approved changes will be made")


class _PlanShown:
    """One displayed plan (table and note) and the changes it shows, so both can be updated in place."""

    def __init__(self, changes: list[ch.Change], table: Any) -> None:
        self.changes, self.table = list(changes), table
        self.note: Any = None


class _Shown:
    """What a run displayed that later states update (in place)."""

    def __init__(self) -> None:
        self.header: Any = None  # an IPython DisplayHandle (None where display gives none, e.g. tests)
        self.plans: list[_PlanShown] = []
        self.position: Any = None  # the line `Run.position` keeps current


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _error_ref(error: ZendeskError) -> str:
    parts = [str(error.status)]
    if error.code:
        parts.append(str(error.code))
    ref = " ".join(parts)
    return f"{ref}, request id {error.request_id}" if error.request_id else ref


def _install_failure_summary(run: Run) -> None:
    """Any unexpected error in a later cell still leaves a `failed` summary in the record."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - outside IPython
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> Any:
        if isinstance(value, RunbookStop):
            print(f"Runbook stopped ({value.outcome}): {value.reason}")
            run.release_credential()
            return []
        if run.changed_since_finish:  # an error after a finished run is not its own
            run.declare(Outcome.FAILED, redact_text(f"{etype.__name__}: {value}"))
            with suppress(RunbookStop):
                run.finish()
        run.release_credential()
        return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)

    shell.set_custom_exc((Exception,), handler)


def start_run(
    runbook: str,
    version: str,
    parameters: dict[str, Any],
    *,
    target: Any = None,
    writes: bool = True,
    client: Any = None,
) -> Run:
    """Connect with the configured credential, identify the operator and show the run header."""
    if client is None:
        terminal = progress_file()  # a headless run: pages and rate-limit waits reach the terminal
        client = zdlib.Client.from_env(on_event=terminal.client_event if terminal else None)
    run = Run(runbook, version, parameters, client, target=target, writes=writes)
    _install_failure_summary(run)
    if not headless():  # JupyterLab: staged and recorded like a headless run (nbformat only then)
        from zdlib.runbook import interactive

        run.interactive = interactive.begin(run)
    run.identify()
    run.show_header()
    return run
