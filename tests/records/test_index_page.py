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
    names = [name for name, _ in COLUMNS]
    assert rows.rows[0] == names
    assert names[:5] == ["time", "runbook", "target", "outcome", "record"]  # what a glance needs, first
    body = rows.rows[1:]
    assert [r[names.index("outcome")] for r in body] == ["planned", "refused", "applied"]
    assert [r[names.index("instance")].startswith("SANDBOX") for r in body] == [False, True, True]
    assert "NOT verified" in body[0][names.index("approval")]
    assert "Maria Manager" in body[2][names.index("approval")]
    assert "automation 12345 active: true → false [verified]" in body[2][names.index("changes")]
    assert "./20261128T120000Z_deactivate_automation_12345.html" in rows.links
    assert body[2][names.index("time")] == "2026-11-28 12:00:00Z"
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


def test_at_1280_px_every_column_is_on_screen_and_long_values_are_cut_with_their_tooltip(tmp_path):
    """First-use F7: outcome and the record link off-screen at 1280 px; rows 200-370 px tall."""
    from playwright.sync_api import sync_playwright

    from tests.lab.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS

    long_url = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242"
    approval = {"approved_by": "maria.manager", "verified": True, "access_request_url": long_url}
    rows = [
        entry(
            runbook="revoke_integration",  # the longest name
            target="x" * 300,
            outcome="interrupted",
            approval=approval,
            started_at=f"2026-11-28T12:00:{n:02d}Z",
        )
        for n in range(12)
    ]
    page_file = write_index(tmp_path / "records", rows)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_file.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scrolling
        first = page.locator("#runs tbody tr").first
        for column in ("outcome", "record"):
            box = first.locator("td").nth([n for n, _ in COLUMNS].index(column)).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1280, column
        assert first.bounding_box()["height"] < 40  # one line per run
        for column in ("time", "runbook", "outcome"):  # never cut: a glance reads them whole
            cell = first.locator("td").nth([n for n, _ in COLUMNS].index(column))
            assert cell.evaluate("td => td.scrollWidth <= td.clientWidth"), column
        target = first.locator("td").nth(2)
        assert target.get_attribute("title") == "x" * 300  # the whole value on hover
        page.screenshot(path=str(ARTIFACTS / "index_page_1280.png"))
        browser.close()
