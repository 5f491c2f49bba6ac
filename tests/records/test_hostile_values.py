"""Hostile values from every source a record shows, through the runner against the sandbox (issue 12 C).

Parameters, an automation title set by another admin, a user's own name (also a requester's, in the
credential notes), an api_request body and a server's error description: no HTML record (nor the index
page) may hold a script element, an event handler or a `javascript:` URL, or load anything from the
network. Checked by parsing, not by grep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.records.hostile_server import hostile_zendesk
from tests.records.html_check import inspect_html
from tests.runbooks.support import APPLY, NOTEBOOKS, REQUEST_URL, api, run
from zdlib.runner import run_runbook
from zdlib.sandbox import seed
from zdlib.sandbox.server import SandboxServer

SCRIPT = "<script>alert('h1')</script>"
IMG = "<img src=x onerror=alert('h2')>"
LINK = "[Maria Manager](javascript:alert('h3'))"
BREAKOUT = "https://gitlab.example/ar/1\"><script>alert('h4')</script>"
FENCE = "```\n</code><script>alert('h5')</script>"
ADMIN_ID = 1000000
REQUESTER_NAME = "[click](javascript:alert(1)) **x** <img src=x onerror=alert(1)> | a | b |"


@pytest.fixture
def hostile_sandbox(fresh_sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The sandbox with an automation title and the operator's own name set to HTML by "other users"."""
    renamed = api(
        fresh_sandbox, "PUT", "/api/v2/automations/12345", json={"automation": {"title": IMG + SCRIPT}}
    )
    assert renamed.status_code == 200, renamed.text
    named = api(fresh_sandbox, "PUT", f"/api/v2/users/{ADMIN_ID}", json={"user": {"name": SCRIPT + " Ada"}})
    assert named.status_code == 200, named.text
    yield fresh_sandbox
    fresh_sandbox.control.reset()


def assert_safe(html: Path | None) -> str:
    assert html is not None and html.is_file(), "the run left no HTML record"
    found = inspect_html(html)
    assert found.scripts == [], found.scripts
    assert found.handlers == [], found.handlers
    assert found.javascript_urls == [], found.javascript_urls
    assert found.network_loads == [], found.network_loads
    return html.read_text(encoding="utf-8")


def test_hostile_parameters_title_and_user_name(hostile_sandbox, tmp_path):
    records = tmp_path / "records"
    result = run(
        hostile_sandbox,
        records,
        "deactivate_automation",
        automation_id=12345,
        access_request_url=BREAKOUT,
        approved_by=LINK,
        reviewed_by=IMG,
    )
    page = assert_safe(result.html)
    assert "onerror=alert" in page  # the hostile title and approver are shown, as text
    assert "Ada" in page  # the operator is still named, as text

    listing = run(hostile_sandbox, records, "inspect_users", role="admin")
    assert_safe(listing.html)
    index = assert_index_safe(records)
    assert index.count("<tr") == 3  # header and both runs


def test_hostile_api_request_body(hostile_sandbox, tmp_path):
    title = SCRIPT + IMG + LINK + "`"
    body = json.dumps({"automation": {"title": title, "conditions": {"all": []}, "actions": []}})
    result = run(hostile_sandbox, tmp_path / "records", "api_request", method="POST",
                 path="/api/v2/automations", body=body)  # fmt: skip
    assert result.outcome == "planned", result.reason
    assert_safe(result.html)


def test_hostile_error_description_from_the_server(tmp_path):
    description = SCRIPT + IMG + FENCE + LINK
    with hostile_zendesk(name=IMG + " Eve", description=description) as url:
        env = {
            "ZENDESK_URL": url,
            "ZENDESK_AUTH": "oauth",
            "ZENDESK_OAUTH_TOKEN": "hostile-test-token-123456",
        }
        result = run_runbook(
            NOTEBOOKS / "api_request.ipynb",
            {"method": "GET", "path": "/api/v2/automations/12345"},
            records_dir=tmp_path / "records",
            instance_env=env,
        )
    assert result.outcome == "failed"
    page = assert_safe(result.html)
    assert "RecordInvalid" in page or "422" in page  # the error is reported, as text
    assert_index_safe(tmp_path / "records")


def assert_index_safe(records: Path) -> str:
    page = records / "index.html"
    assert page.is_file(), "the runner rebuilds records/index.html after every run"
    found = inspect_html(page)
    assert len(found.scripts) == 1 and found.handlers == [] and found.javascript_urls == []
    assert found.network_loads == []
    return page.read_text(encoding="utf-8")


class _Elements(HTMLParser):
    """Every link and image of a page, and its text as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.images: list[str] = []
        self.text: list[str] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._link = [dict(attrs).get("href") or ""]
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], "".join(self._link[1:])))
            self._link = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._link is not None:
            self._link.append(data)


def elements(html: Path) -> _Elements:
    parser = _Elements()
    parser.feed(html.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_hostile_requester_name_in_credential_notes(fresh_sandbox, tmp_path, monkeypatch):
    """The requester's Zendesk name reaches create_token's notes (what the credential can do): text only."""
    handoff = tmp_path / "handoff"
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(handoff))  # a rehearsal's hand-off folder
    named = api(
        fresh_sandbox, "PUT", f"/api/v2/users/{seed.AGENT_ID}", json={"user": {"name": REQUESTER_NAME}}
    )
    assert named.status_code == 200, named.text
    records = tmp_path / "records"
    try:
        created = run(fresh_sandbox, records, "create_token", **APPLY, requester_email=seed.AGENT_EMAIL,
                      scopes="users:read", deliver="integration")  # fmt: skip
        assert created.outcome == "applied", created.reason
        [path] = list(handoff.iterdir())
        handed = json.loads(path.read_text())
        revoked = run(fresh_sandbox, records, "revoke_token", **APPLY, kind="oauth",
                      issued_for_url=REQUEST_URL, handoff_file=str(path))  # fmt: skip
        assert revoked.outcome == "applied", revoked.reason
    finally:
        fresh_sandbox.control.reset()

    assert_index_safe(records)
    pages = sorted(records.rglob("*.html"))
    assert created.html in pages and revoked.html in pages
    for page in pages:
        if page != records / "index.html":
            assert_safe(page)
        found = elements(page)
        assert [link for link in found.links if "click" in link[1] or "alert" in link[0]] == [], page
        assert [src for src in found.images if src == "x"] == [], page
    shown = "".join(elements(created.html).text)
    # the plan's note, the integration warning and the verify note state the power, with the name as text
    assert shown.count(f"acts as {REQUESTER_NAME}, role agent") >= 3, shown
    # the summary's facts and the hand-off keep the name as it is (plain text, nothing escaped)
    power = created.summary["facts"]["what_it_can_do"]
    assert f"acts as {REQUESTER_NAME}, role agent" in power and "\\" not in power
    assert f"acts as {REQUESTER_NAME}, role agent" in handed["what_it_can_do"]
