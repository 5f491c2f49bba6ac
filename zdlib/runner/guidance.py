"""What the terminal tells the engineer after a headless run: where a credential went, and for a `waiting`
run the Admin Center steps and how to go on (on a real instance, on a persistent sandbox, or, after a
fresh `--sandbox` that can never see the change, how to rehearse it on a persistent one).

Read from the summary's facts (zdlib.record.delivery, the kit's `admin_center` fact); plain text only.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zdlib.record.delivery import deliveries
from zdlib.record.outcome import Outcome, outcome_of
from zdlib.record.summary import ran_on_sandbox

ADMIN_CENTER_FACT = "admin_center"  # zdlib.runbook.manual.FACT (the kit's side)
SANDBOX_ENV_FILE = ".env.sandbox"  # the persistent sandbox's env file the guidance proposes


@dataclass(frozen=True)
class Invocation:
    """How `zdlib run` was called: its arguments as typed, and where the instance came from."""

    argv: Sequence[str]
    fresh_sandbox: bool = False  # `--sandbox`: a sandbox started for this run and stopped with it
    env_file: str | None = None  # `--env-file PATH`, as typed

    def command(self, argv: Sequence[str] | None = None) -> str:
        return "zdlib run " + shlex.join(list(self.argv if argv is None else argv))

    def on_persistent_sandbox(self) -> str:
        """The same command with `--env-file .env.sandbox` instead of `--sandbox`."""
        kept = [a for a in self.argv if a != "--sandbox"]
        return self.command([*kept, "--env-file", SANDBOX_ENV_FILE])


def delivery_lines(summary: Mapping[str, Any] | None) -> list[str]:
    """`delivered: <what> -> <where>`, then `  acts as ...; scopes ...; expires ... (UTC)`, a hand-off."""
    lines = []
    for delivery in deliveries(summary):
        head, *rest = delivery.parts()
        lines += [f"delivered: {head}", *([f"  {'; '.join(rest)}"] if rest else [])]
    return lines


def waiting_lines(summary: Mapping[str, Any] | None, invocation: Invocation) -> list[str]:
    """For a `waiting` run: the person's steps, then how to go on (none for another outcome)."""
    summary = summary or {}
    step = (summary.get("facts") or {}).get(ADMIN_CENTER_FACT)
    if outcome_of(summary.get("outcome")) is not Outcome.WAITING or not isinstance(step, Mapping):
        return []
    return step_lines(step) + next_lines(step, ran_on_sandbox(summary), invocation)


def step_lines(step: Mapping[str, Any]) -> list[str]:
    """The Admin Center step as the record shows it: the object's details, the clicks, the warnings."""
    lines = [f"left to a person in {step.get('path')}: {step.get('title')}"]
    lines += [f"  {name}: {value}" for name, value in detail_pairs(step)]
    lines += [f"  {n}. {click}" for n, click in enumerate(step.get("clicks") or [], start=1)]
    lines += [f"  warning: {text}" for text in step.get("warnings") or []]
    return lines


def next_lines(step: Mapping[str, Any], sandbox: bool, invocation: Invocation) -> list[str]:
    """How to go on: do it in Admin Center and re-run; on a sandbox, the command that plays the person."""
    rerun = invocation.command()
    if not sandbox:
        return ["then, once it is done in Admin Center, re-run (it checks through the API, ends applied):",
                f"  {rerun}"]  # fmt: skip
    play = _play_command(step, SANDBOX_ENV_FILE if invocation.fresh_sandbox else invocation.env_file)
    if not invocation.fresh_sandbox:
        return [
            "on this sandbox, play the person's step (a rehearsal: the sandbox's control API stands in "
            "for Admin Center):",
            f"  {play}",
            "then re-run (it checks through the API, ends applied):",
            f"  {rerun}",
        ]
    persistent = invocation.on_persistent_sandbox()
    return [
        "this run used a fresh sandbox (--sandbox), stopped when the run ended: no step done now can reach "
        "it, and a re-run starts another. Rehearse the whole procedure on a persistent sandbox:",
        f"  zdlib sandbox --env-file {SANDBOX_ENV_FILE}    (in another terminal; keep it running)",
        f"  {persistent}    (ends waiting)",
        f"  {play}    (plays the person in Admin Center)",
        f"  {persistent}    (checks through the API, ends applied)",
    ]


def _play_command(step: Mapping[str, Any], env_file: str | None) -> str:
    """`zdlib sandbox admin-center [--env-file F] KIND ID ACTION` from the step's `rehearsal`."""
    rehearsal = step.get("rehearsal") or {}
    where = f"--env-file {shlex.quote(env_file)} " if env_file else ""
    if not all(rehearsal.get(k) for k in ("kind", "id", "action")):
        return f"zdlib sandbox admin-center {where}--help"
    return f"zdlib sandbox admin-center {where}{rehearsal['kind']} {rehearsal['id']} {rehearsal['action']}"


def detail_pairs(step: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The step's `details` as (name, value) pairs, in the kit's order."""
    details = step.get("details") or []
    return [(str(p[0]), p[1]) for p in details if isinstance(p, list | tuple) and len(p) == 2]
