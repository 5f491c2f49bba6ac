"""records/index.html: a row per run, escaped, private, offline; our one inline script only."""

from __future__ import annotations

import json
import stat
from html.parser import HTMLParser

from tests.records.html_check import inspect_html
from tests.records.test_render import HOSTILE, HOSTILE_TEXT
from zdlib.runner.index_page import COLUMNS, write_index_page


def entry(**overrides):
    base = {
        "runbook": "deactivate_automation",
        "target": "12345",
        "operator": {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "role": "admin"},
        "instance": "http://127.0.0.1:40613",
        "sandbox": True,  # the index keeps the kit's proven fact; the page never guesses it from the URL
        "started_at": "2026-11-28T12:00:00Z",
        "outcome": "applied",
        "approval": {"approved_by": "Maria Manager", "reviewed_by": "Sam Security", "verified": True},
        "changes": [
            {
                "object": "automation",
                "id": 12345,
                "field": "active",
                "before": True,
                "after": False,
                "status": "verified",
            }
        ],
        "records": {"html": "20261128T120000Z_deactivate_automation_12345.html"},
    }
    return {**base, **overrides}


def write_index(folder, entries):
    folder.mkdir(exist_ok=True)
    (folder / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return write_index_page(folder)


class Rows(HTMLParser):
    """The table's rows as lists of cell texts, and every <a href>."""

    def __init__(self):
        super().__init__()
        self.rows, self.links, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def parse(page):
    rows = Rows()
    rows.feed(page.read_text(encoding="utf-8"))
    return rows


def test_every_run_is_a_row_newest_first_with_the_columns_a_reviewer_needs(tmp_path):
    entries = [
        entry(),
        entry(outcome="refused", approval=None, changes=[], started_at="2026-11-28T13:00:00Z"),
        entry(
            instance="http://127.0.0.1:47111",  # a loopback tunnel to a real instance: no proof, no badge
            sandbox=False,
            outcome="planned",
            started_at="2026-11-28T14:00:00Z",
            approval={"approved_by": "M", "reviewed_by": "S", "verified": False},
        ),
    ]
    page = write_index(tmp_path / "records", entries)
    rows = parse(page)
    assert rows.rows[0] == list(COLUMNS)
    body = rows.rows[1:]
    assert [r[COLUMNS.index("outcome")] for r in body] == ["planned", "refused", "applied"]
    assert [r[COLUMNS.index("sandbox")] for r in body] == ["no", "SANDBOX", "SANDBOX"]
    assert "NOT verified" in body[0][COLUMNS.index("approval")]
    assert "Maria Manager" in body[2][COLUMNS.index("approval")]
    assert "automation 12345 active: true → false [verified]" in body[2][COLUMNS.index("changes")]
    assert "./20261128T120000Z_deactivate_automation_12345.html" in rows.links
    text = page.read_text(encoding="utf-8")
    assert 'id="f-outcome"' in text and 'id="f-runbook"' in text  # filters
    assert '<option value="refused">' in text and '<option value="deactivate_automation">' in text


def test_hostile_values_are_text_and_the_page_is_private_and_offline(tmp_path):
    hostile = entry(
        runbook=HOSTILE[0],
        target=HOSTILE_TEXT,
        instance=HOSTILE[3],
        outcome=HOSTILE[1],
        operator={"name": HOSTILE[5], "email": HOSTILE[6]},
        approval={"approved_by": HOSTILE[2], "reviewed_by": HOSTILE[0], "access_request_url": HOSTILE[3]},
        changes=[
            {
                "object": HOSTILE[1],
                "id": HOSTILE[0],
                "field": HOSTILE[4],
                "before": HOSTILE[5],
                "after": HOSTILE[6],
                "status": HOSTILE[0],
            }
        ],
        records={"html": "javascript:alert(1)//x.html"},
    )
    page = write_index(tmp_path / "records", [entry(), hostile])
    found = inspect_html(page)
    assert len(found.scripts) == 1  # ours: sorting and filtering
    assert found.handlers == [] and found.javascript_urls == [] and found.network_loads == []
    assert all(href.startswith("./") for href in parse(page).links)
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.read_text(encoding="utf-8")


def test_the_page_is_rebuilt_not_appended(tmp_path):
    folder = tmp_path / "records"
    write_index(folder, [entry()])
    page = write_index(folder, [entry(), entry(outcome="no-op")])
    assert len(parse(page).rows) == 3
    assert [p.name for p in folder.iterdir()] and not list(folder.glob(".index.html.*"))
