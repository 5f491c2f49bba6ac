"""A step the public API cannot do: a person does it in Admin Center, the API verifies it.

The pattern, once for every runbook (issue 10 A):

1. `ManualStep.show()` says what to do: the object's details, the exact Admin Center path and clicks,
   and any warning (e.g. "deletion is final").
2. `ManualStep.wait(run)` records the change with status `waiting` and ends the run with the outcome
   `waiting` (exit status 3): nothing is verified yet.
3. A re-run of the same command (or, in JupyterLab, the "Done in Admin Center" button) calls the step's
   `check()` through the API; once the API shows the change, the change is `verified` and the run goes on
   to end `applied`.

The step also goes into the summary's facts (`admin_center`, plain text: `as_fact`), so the runner prints
it in the terminal and the banner lists it, with the sandbox's way to play it (`rehearsal`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zdlib.record.markup import Markdown, md, plain
from zdlib.record.outcome import Outcome
from zdlib.runbook import changes as ch
from zdlib.runbook.display import fresh_sandbox, headless, note, table, warn
from zdlib.runbook.errors import RunbookStop
from zdlib.runbook.recording import iso_now as _now

if TYPE_CHECKING:
    from zdlib.runbook.run import Run

DONE_NOTE = "done in Admin Center; verified through the API"
FACT = "admin_center"  # the summary's facts[FACT]: the step left to a person (ManualStep.as_fact)


class Waiting(RunbookStop):
    """The run ends until a person has done a step in Admin Center; a re-run verifies it."""

    outcome = Outcome.WAITING


@dataclass
class ManualStep:
    """One change a person makes in Admin Center, and how the API shows that it is done."""

    change: ch.Change
    title: str  # plain text, e.g. "Deactivate API token 3" (also in the run's reason)
    path: str  # plain text, e.g. "Admin Center > Apps and integrations > APIs > API tokens"
    clicks: list[Markdown]  # each click, in order, built with md() (values escaped)
    details: dict[str, Any] = field(default_factory=dict)  # what identifies the object on screen
    warnings: list[Markdown] = field(default_factory=list)  # built with md()
    check: Callable[[], bool] = field(default=lambda: False, repr=False)  # True once the API shows it done
    rehearsal: tuple[str, int, str] | None = None  # the sandbox's stand-in: ("api_tokens", 3, "deactivate")

    def show(self) -> None:
        """What the person does, with the object's details and the warnings."""
        if self.details:
            table([{"field": k, "value": v} for k, v in self.details.items()])
        steps = Markdown(
            "\n".join(
                md("{n}. {click:raw}", n=n, click=click) for n, click in enumerate(self.clicks, start=1)
            )
        )
        note(
            "**{title}: done by a person in {path}.**\n\n{steps:raw}",
            title=self.title,
            path=self.path,
            steps=steps,
        )
        for text in self.warnings:
            warn("{text:raw}", text=text)

    def done(self) -> bool:
        """Ask the API whether the change is there (never assumed)."""
        return bool(self.check())

    def wait(self, run: Run) -> None:
        """Mark the change `waiting` and end the run `waiting`, unless the API already shows it done."""
        if self.done():
            self.change.verified(DONE_NOTE)
            return
        self.change.waiting(f"waiting for a person in {self.path}")
        run.facts[FACT] = self.as_fact()
        if not headless():
            self.show_done_control(run)
        reason = waiting_reason(self.title, self.path, headless=headless(), fresh_sandbox=fresh_sandbox())
        run.declare(Outcome.WAITING, reason)
        run.finish()
        raise Waiting(reason)

    def as_fact(self) -> dict[str, Any]:
        """The step as plain text for the summary: title, path, numbered clicks, details, warnings."""
        return {
            "title": self.title,
            "path": self.path,
            "clicks": [plain(click) for click in self.clicks],
            "details": [[str(k), v] for k, v in self.details.items()],  # pairs: JSON keeps their order
            "warnings": [plain(text) for text in self.warnings],
            "rehearsal": dict(zip(("kind", "id", "action"), self.rehearsal, strict=True))
            if self.rehearsal
            else {},
        }

    def show_done_control(self, run: Run) -> Any:
        """JupyterLab only: a button that verifies the step through the API and ends the run."""
        import ipywidgets as widgets
        from IPython.display import display

        wide = widgets.Layout(width="auto")
        button = widgets.Button(
            description="Done in Admin Center", button_style="info", icon="check", layout=wide
        )
        output = widgets.Output()
        buttons = [button]

        def verify(_: Any) -> None:
            with output:
                if not self.done():
                    print(f"{_now()}: the API does not show the change yet: finish it, then press again.")
                    return
                self.change.verified(DONE_NOTE)
                run.declare(Outcome.APPLIED, f"{self.title}: done in Admin Center, verified.")
                for each in buttons:
                    each.disabled = True
                print(f"{_now()}: verified through the API. The run is complete: its summary follows.")
                run.finish()

        button.on_click(verify)
        if run.sandbox and self.rehearsal is not None:
            buttons.append(self._rehearsal_button(run, output, wide))
        note(self._where_to_act(run))
        control = widgets.VBox([widgets.HBox(buttons), output])
        display(control)
        return control

    def _where_to_act(self, run: Run) -> str:
        if run.sandbox and self.rehearsal is not None:
            return (
                "**Waiting for the step above.** This is the local sandbox, which has no Admin Center: press "
                "**Rehearsal: play it on the sandbox** to have the sandbox do what the person would do, then "
                "**Done in Admin Center**, which checks the result through the API."
            )
        return (
            f"**Waiting for the step above.** Do it in {self.path}, then press **Done in Admin Center** "
            "below: it checks the result through the API and ends the run."
        )

    def _rehearsal_button(self, run: Run, output: Any, layout: Any) -> Any:
        """Sandbox only: plays the person's step through the sandbox's control API; marked as a rehearsal."""
        import ipywidgets as widgets

        from zdlib.instance import RehearsalRefused, play_admin_center

        assert self.rehearsal is not None
        kind, object_id, action = self.rehearsal
        rehearse = widgets.Button(
            description="Rehearsal: play it on the sandbox",
            button_style="warning",
            icon="flask",
            layout=layout,
        )

        def play(_: Any) -> None:
            with output:
                try:
                    play_admin_center(run.client.base_url, kind, object_id, action)
                except (RehearsalRefused, OSError, ValueError) as error:
                    print(f"{_now()}: rehearsal not played: {error}")
                    return
                print(
                    f"{_now()}: REHEARSAL (sandbox only): the sandbox played the person in Admin Center "
                    f"({action} {kind} {object_id}). Now press 'Done in Admin Center' to verify it."
                )
                rehearse.disabled = True

        rehearse.on_click(play)
        return rehearse


def waiting_reason(title: str, path: str, *, headless: bool, fresh_sandbox: bool = False) -> str:
    """The reason of a `waiting` run; it says where the steps are only where that holds wherever the
    reason is shown (terminal, banner, notebook): the steps go with the outcome in each of them. On a
    sandbox started for this run only (`--sandbox`) no step done later can reach it: it says so."""
    if headless and fresh_sandbox:
        then = (
            "This run's sandbox (--sandbox) stopped when the run ended, so no step done now can reach "
            "it: rehearse the procedure on a persistent sandbox (zdlib sandbox --env-file .env.sandbox, "
            "then this zdlib run command with --env-file .env.sandbox instead of --sandbox)."
        )
    elif headless:
        then = "Then re-run the same zdlib run command: it checks through the API and ends applied."
    else:
        then = (
            "Then press 'Done in Admin Center' in the notebook: it checks through the API and ends applied."
        )
    return f"Waiting: {title} must be done by a person in {path}, following the numbered steps. {then}"
