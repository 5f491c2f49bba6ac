"""The campaign issue's checklist note and the owners' reminder notes, rendered from the report (pure).

Both notes start with a marker line so the campaign finds its own notes again (`is_ours`, `is_reminder`).
Every value taken from the report is inert Markdown (`zdlib.record.markup.inert`: a code span, `@` kept
from mentioning): a token description holding `@all`, `[x](javascript:…)`, `<img>`, `#123`, backticks,
line breaks or a `/close` quick action shows as the text it is and does nothing.

A token is checked (`- [x]`) when its state is finished (`states.FINISHED`: deactivated or done). `retired`
is not: the owner says the consumer no longer runs, but the token is still active until an admin
deactivates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from zdlib.campaign.evidence import DEADLINE
from zdlib.campaign.states import FINISHED, REMINDER_FACT, State
from zdlib.record.markup import inert

CHECKLIST_MARKER = "**API-token retirement campaign** — kept current by zdlib migrate_api_tokens"
REMINDER_MARKER = "**API-token retirement reminder**"
OWNERS_MARKER = "**API-token retirement: owners wanted**"
OWNER_REPLY = "campaign: owner of API token N"
_ASKED = re.compile(r"^- API token `(\d{1,18})`")
RETIRED_REPLY = "campaign: retired"
RECORD_PREFIX = "Record: "
MAX_DESCRIPTION = 120
_FINISHED = frozenset(str(s) for s in FINISHED)
_SPAN = re.compile(r"^(`+) ?(.*?) ?\1$")


def _first_line(body: str | None) -> str:
    return (body or "").lstrip("\ufeff").split("\n", 1)[0].strip()


def is_ours(body: str | None) -> bool:
    """True when a note's first line is the checklist's marker."""
    return _first_line(body) == CHECKLIST_MARKER


def is_reminder(body: str | None) -> bool:
    """True when a note's first line is the reminder's marker."""
    return _first_line(body) == REMINDER_MARKER


def _counts(counts: Mapping[str, Any]) -> str:
    """`owner_known 2 · done 1` in the states' order (unknown states after them), zeros left out."""
    order = [str(s) for s in State]
    names = sorted(counts, key=lambda n: (order.index(n) if n in order else len(order), str(n)))
    shown = [f"{inert(n)} {inert(counts[n])}" for n in names if counts[n]]
    return " · ".join(shown) or "no API tokens"


def _last_record(token: Mapping[str, Any]) -> Any:
    """The record of the newest evidence that names one (a reminder moves nothing), or None: so the
    reminders a run posts do not edit the checklist again on the next run."""
    moved = [
        e
        for e in token.get("evidence") or []
        if isinstance(e, Mapping) and e.get("record") and e.get("what") != REMINDER_FACT
    ]
    if not moved:
        return None
    return max(moved, key=lambda e: str(e.get("at") or ""))["record"]


def token_line(token: Mapping[str, Any]) -> str:
    """One checklist line: the box, id, description, state since, next action and who, at risk, record."""
    state = str(token.get("state"))
    box = "[x]" if state in _FINISHED else "[ ]"
    step = token.get("next") or {}
    record = _last_record(token)
    line = (
        f"- {box} API token {inert(token.get('id'))} {inert(token.get('description'), MAX_DESCRIPTION)}: "
        f"{inert(state)} since {inert(token.get('since') or 'unknown')}; next: {inert(step.get('what'))} "
        f"(who: {inert(step.get('who'))})"
    )
    if token.get("owner"):
        line += f"; owner {inert(token.get('owner'))}"
    if token.get("at_risk"):
        line += f"; **at risk** (last safe switch {inert(token.get('last_safe_switch'))})"
    line += f"; last moved by record {inert(record)}" if record else "; no record moved it yet"
    return line


def render(report: Mapping[str, Any]) -> str:
    """The checklist note's Markdown for one campaign report (`zdlib.campaign.report.build`'s shape)."""
    tokens = list(report.get("tokens") or [])
    lines = [
        CHECKLIST_MARKER,
        "",
        f"As of {inert(report.get('as_of'))}; deadline {inert(report.get('deadline'))}"
        + (f"; instance {inert(report.get('instance'))}" if report.get("instance") else ""),
        "",
        f"States: {_counts(report.get('counts') or {})} ({len(tokens)} API tokens)",
        "",
        *(token_line(t) for t in tokens),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _note(marker: str, intro: str, items: Iterable[str], tail: str | None, record: str | None) -> str:
    """A campaign note: its marker line, an introduction, one line per token, an optional closing line,
    and the record of the run that posted it."""
    lines = [marker, "", intro, "", *items]
    if tail:
        lines += ["", tail]
    if record:
        lines += ["", f"{RECORD_PREFIX}{inert(record)}"]
    return "\n".join(lines) + "\n"


def reminder_body(owner: str | None, tokens: Iterable[Mapping[str, Any]], record: str | None) -> str:
    """The reminder posted on an owner's access request: each token's state, next action and last safe
    switch date, how to say the consumer is retired, and the record of the run that posted it."""

    def item(token: Mapping[str, Any]) -> str:
        step = token.get("next") or {}
        line = (
            f"- API token {inert(token.get('id'))} {inert(token.get('description'), MAX_DESCRIPTION)}: "
            f"{inert(token.get('state'))}; next: {inert(step.get('what'))} (who: {inert(step.get('who'))}); "
            f"switch by {inert(token.get('last_safe_switch'))}"
        )
        return line + ("; **at risk**" if token.get("at_risk") else "")

    intro = (
        f"For {inert(owner or 'the owner')}: every Zendesk API token stops working on "
        f"{inert(DEADLINE.isoformat())}. Where the API tokens of this access request stand:"
    )
    tail = f"If the consumer no longer runs, reply with a note whose first line is {inert(RETIRED_REPLY)}."
    return _note(REMINDER_MARKER, intro, map(item, tokens), tail, record)


def is_owners_wanted(body: str | None) -> bool:
    """True when a note's first line is the owners-wanted marker."""
    return _first_line(body) == OWNERS_MARKER


def owners_wanted_body(tokens: Iterable[Mapping[str, Any]], record: str | None) -> str:
    """The weekly ask on the campaign issue for the API tokens nobody is known to own (no access request
    resolves): who owns each, and how to say so. After `orphan_after_reminders` asks a token is `orphan`."""
    intro = (
        f"Nobody is known to own these API tokens (their description names no access request that resolves); "
        f"each stops working on {inert(DEADLINE.isoformat())}. If one is yours, reply on this issue with a "
        f"note whose first line is {inert(OWNER_REPLY)} (its id for N)."
    )
    items = (
        f"- API token `{int(token['id'])}` {inert(token.get('description'), MAX_DESCRIPTION)}: "
        f"{inert(token.get('state'))} since {inert(token.get('since'))}"
        for token in tokens
    )
    return _note(OWNERS_MARKER, intro, items, None, record)


def asked_tokens(body: str | None) -> list[int]:
    """The API token ids an owners-wanted note asks about."""
    return [int(m.group(1)) for m in (_ASKED.match(line) for line in (body or "").splitlines()) if m]


def reminder_record(body: str | None) -> str | None:
    """The record name a reminder note names (its `Record:` line), or None."""
    for line in (body or "").splitlines():
        if line.startswith(RECORD_PREFIX):
            found = _SPAN.match(line[len(RECORD_PREFIX) :].strip())
            if found:
                return found.group(2).replace("@\u200b", "@") or None
    return None
