"""The campaign's checklist and reminder notes: what they show; no value from the report is markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from zdlib.campaign import checklist
from zdlib.campaign.checklist import CHECKLIST_MARKER, REMINDER_MARKER
from zdlib.campaign.states import State

HOSTILE = (
    "@all ping [click](javascript:alert(1)) <img src=x onerror=alert(1)> #123 !1 ~label "
    "``` `tick` ``x``\n/close\r\n/label ~bug\u2028/assign @maria.manager\x0b/done"
)


def token(tid: object = 2, state: str = "oauth_issued", **fields: object) -> dict:
    entry = {
        "id": tid,
        "description": "Reporting export https://gitlab.com/a/b/-/issues/102",
        "state": state,
        "since": "2026-12-01T10:00:00Z",
        "evidence": [
            {"what": "listed, active=true", "at": "2026-12-03T00:00:00Z", "record": None},
            {"what": "OAuth client 7 issued", "at": "2026-12-01T10:00:00Z", "record": "20261201-create.html"},
            {"what": "reminder posted", "at": "2026-11-20T10:00:00Z", "record": "20261120-migrate.html"},
        ],
        "next": {"who": "owner", "what": "switch the consumer to the OAuth client"},
        "last_safe_switch": "2027-04-02",
        "purge_on": None,
        "at_risk": False,
        "owner": "bob.builder",
        "access_request": "https://gitlab.com/a/b/-/issues/102",
    }
    return {**entry, **fields}


def report(*tokens: dict, **fields: object) -> dict:
    counts = {str(s): 0 for s in State}
    for t in tokens:
        counts[t["state"]] = counts.get(t["state"], 0) + 1
    return {
        "as_of": "2026-12-04",
        "deadline": "2027-04-30",
        "instance": "https://example.zendesk.com",
        "record": "20261204-migrate.html",
        "counts": counts,
        "tokens": list(tokens),
        **fields,
    }


def outside_code(markdown: str) -> str:
    """The text outside code spans, as CommonMark finds them (a run of n backticks closes at the next run
    of exactly n); an unclosed run stays as text."""
    out, pos = [], 0
    runs = list(re.finditer(r"`+", markdown))
    i = 0
    while i < len(runs):
        opening = runs[i]
        closing = next(
            (j for j in range(i + 1, len(runs)) if len(runs[j].group()) == len(opening.group())), None
        )
        if closing is None:
            i += 1
            continue
        out.append(markdown[pos : opening.start()])
        pos = runs[closing].end()
        i = closing + 1
    out.append(markdown[pos:])
    return "".join(out)


def assert_inert(markdown: str) -> None:
    """No value escaped its code span: no mention, link, HTML, reference or quick action."""
    prose = re.sub(r"(?m)^- \[[ x]\] ", "- ", outside_code(markdown))  # the checklist's own boxes
    for bad in ("@", "<", "[", "](", "javascript", "#1", "!1", "~", "/close", "/label", "/assign"):
        assert bad not in prose, (bad, prose)
    assert "@all" not in markdown and "@maria" not in markdown
    for line in markdown.split("\n"):
        assert not line.lstrip().startswith("/"), line
    assert "\r" not in markdown and "\u2028" not in markdown and "\x0b" not in markdown


def test_the_checklist_starts_with_its_marker_and_counts():
    body = checklist.render(report(token(2), token(4, "done"), token(1, "retired")))
    lines = body.splitlines()
    assert lines[0] == CHECKLIST_MARKER and checklist.is_ours(body)
    assert "As of `2026-12-04`; deadline `2027-04-30`" in lines[2]
    assert lines[4] == "States: `oauth_issued` `1` · `done` `1` · `retired` `1` (3 API tokens)"


@pytest.mark.parametrize(
    ("state", "box"),
    [("done", "[x]"), ("deactivated", "[x]"), ("retired", "[ ]"), ("switched", "[ ]"), ("bogus", "[ ]")],
)
def test_finished_tokens_are_checked(state, box):
    (line,) = [x for x in checklist.render(report(token(2, state))).splitlines() if x.startswith("- ")]
    assert line.startswith(f"- {box} API token `2` ")


def test_a_line_shows_state_since_next_action_owner_and_the_record_that_last_moved_it():
    line = checklist.token_line(token(2, at_risk=True))
    assert "`oauth_issued` since `2026-12-01T10:00:00Z`" in line
    assert "next: `switch the consumer to the OAuth client` (who: `owner`)" in line
    assert "owner `bob.builder`" in line
    assert "**at risk** (last safe switch `2027-04-02`)" in line
    assert line.endswith("last moved by record `20261201-create.html`")
    assert checklist.token_line(token(3, evidence=[])).endswith("no record moved it yet")


def test_the_same_report_renders_the_same_body():
    assert checklist.render(report(token(2))) == checklist.render(report(token(2)))
    assert checklist.render(report(token(2))) != checklist.render(report(token(2, "switched")))


def test_hostile_values_are_inert_in_the_checklist():
    hostile = token(
        HOSTILE,
        HOSTILE,
        description=HOSTILE,
        since=HOSTILE,
        next={"who": HOSTILE, "what": HOSTILE},
        owner=HOSTILE,
        at_risk=True,
        last_safe_switch=HOSTILE,
        evidence=[{"what": HOSTILE, "at": HOSTILE, "record": HOSTILE}],
    )
    body = checklist.render(report(hostile, as_of=HOSTILE, deadline=HOSTILE, instance=HOSTILE))
    assert body.splitlines()[0] == CHECKLIST_MARKER
    assert_inert(body)
    assert len([x for x in body.splitlines() if x.startswith("- [")]) == 1


def test_hostile_counts_are_inert():
    body = checklist.render(report(counts={HOSTILE: 1, "done": 0}))
    assert_inert(body)
    assert "no API tokens" not in body


def test_is_ours_reads_only_the_first_line():
    assert not checklist.is_ours("quoted:\n" + CHECKLIST_MARKER)
    assert not checklist.is_ours("> " + CHECKLIST_MARKER)
    assert not checklist.is_ours(None)
    assert checklist.is_ours(CHECKLIST_MARKER + "\r\n\r\nbody")


def test_the_reminder_names_state_next_action_and_last_safe_switch():
    body = checklist.reminder_body(
        "bob.builder", [token(2), token(4, "auto_deactivated")], "20261204-run.html"
    )
    assert body.splitlines()[0] == REMINDER_MARKER and checklist.is_reminder(body)
    assert not checklist.is_ours(body)
    assert "For `bob.builder`" in body and "`2027-04-30`" in body
    assert "- API token `2` " in body and "`oauth_issued`; next: `switch the consumer" in body
    assert "switch by `2027-04-02`" in body and "- API token `4` " in body
    assert "`campaign: retired`" in body
    assert checklist.reminder_record(body) == "20261204-run.html"
    assert checklist.reminder_record(checklist.reminder_body("x", [token()], None)) is None


def test_hostile_values_are_inert_in_the_reminder():
    hostile = token(HOSTILE, HOSTILE, description=HOSTILE, next={"who": HOSTILE, "what": HOSTILE},
                    last_safe_switch=HOSTILE, at_risk=True)  # fmt: skip
    body = checklist.reminder_body(HOSTILE, [hostile], "run `x` @all.html")
    assert_inert(body)
    assert checklist.reminder_record(body) == "run `x` @all.html"


def test_the_kit_renders_the_report_it_builds():
    from zdlib.campaign.evidence import ListedToken, TokenEvidence
    from zdlib.campaign.report import build
    from zdlib.campaign.states import derive

    now = datetime(2026, 12, 4, tzinfo=UTC)
    listed = ListedToken(2, f"Export {HOSTILE}", True, now, now, None)
    ev = TokenEvidence(2, listed)
    body = checklist.render(build([(ev, derive(ev, now))], now))
    assert "- [ ] API token `2` " in body and "`inventoried`" in body
    assert_inert(body)
