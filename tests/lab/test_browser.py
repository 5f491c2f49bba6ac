"""JupyterLab in a real browser (Chromium from Debian, driven by Playwright): the confirm-button path.

Open deactivate_automation's working copy, set the approval, Run All, press "Apply this plan", run the
cells below; then the automation is inactive on the sandbox, an `applied` record is indexed, and Ctrl+S
leaves the committed templates under notebooks/ untouched. revoke_token's Admin Center step is rehearsed
with the sandbox's button and confirmed with "Done in Admin Center". Each published HTML record is then
opened in Chromium: it reads as one run (one outcome, nothing superseded shown as current, no widget repr).
Screenshots of the records and of the index page at 1280 px are kept in build/test-artifacts/.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import nbformat
from playwright.sync_api import Page, expect, sync_playwright

from tests.lab.conftest import Lab
from tests.runbooks.support import APPROVED

CHROMIUM = "/usr/bin/chromium"  # Debian's package (`make test` installs it); never a downloaded browser
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RUNBOOK = "deactivate_automation"
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
WIDGET_REPRS = ("VBox(", "Button(", "HBox(", "Output(", "widget-view")
STEP_TIMEOUT_MS = 60_000
expect.set_options(timeout=STEP_TIMEOUT_MS)


def parameters_with(template: str, values: dict) -> str:
    """The template's parameters cell with `values` set (other lines kept, comments dropped on set lines)."""
    lines, missing = [], dict(values)
    for line in template.splitlines():
        name = line.split("=")[0].split(":")[0].strip()
        if name in missing:
            lines.append(f"{name} = {missing.pop(name)!r}")
        else:
            lines.append(line)
    assert not missing, f"the template has no parameters {sorted(missing)}"
    return "\n".join(lines)


def api(lab: Lab, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {lab.sandbox['ZENDESK_OAUTH_TOKEN']}"}
    return httpx.request(method, lab.sandbox["ZENDESK_URL"] + path, headers=headers, timeout=10, **kwargs)


def index_lines(records: Path) -> list[dict]:
    index = records / "index.jsonl"
    return [json.loads(line) for line in index.read_text().splitlines()] if index.exists() else []


def templates_changed(lab: Lab) -> str:
    """`git status --porcelain notebooks/` in the lab's repository: empty when no template changed."""
    command = ["git", "status", "--porcelain", "notebooks/"]
    return subprocess.run(command, cwd=lab.root, capture_output=True, text=True, check=True).stdout


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def menu(page: Page, top: str, item: str) -> None:
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def run_all(page: Page) -> None:
    """Run > Run All Cells, again if no cell started (a kernel still connecting can miss the first)."""
    started = page.locator(".jp-InputPrompt", has_text="*").or_(page.locator(".jp-InputPrompt", has_text="1"))
    for _ in range(3):
        menu(page, "Run", "Run All Cells")
        try:
            expect(started.first).to_be_attached(timeout=15_000)
            return
        except AssertionError:
            continue
    raise AssertionError("Run All Cells started no cell")


def open_notebook(page: Page, lab: Lab, path: str):
    """Open `path` in a workspace of its own (JupyterLab's `/lab/workspaces/NAME/tree/PATH`), so no document
    an earlier test left open is restored beside it; returns its panel."""
    page.goto(f"{lab.base}/lab/workspaces/{uuid.uuid4().hex}/tree/{path}?token={lab.token}")
    panel = page.locator(".jp-NotebookPanel")
    expect(panel).to_have_count(1)
    return panel


def wait_idle(page: Page) -> None:
    """The kernel has run everything queued (no cell shows `[*]`)."""
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))",
        timeout=STEP_TIMEOUT_MS,
    )


def test_confirm_button_path_applies_records_and_leaves_templates_clean(lab: Lab):
    template = nbformat.read(lab.root / "notebooks" / f"{RUNBOOK}.ipynb", as_version=4)
    parameters_cell = next(c for c in template.cells if "parameters" in c.metadata.get("tags", []))
    automation_id = 12345  # the template's default: the sandbox's seeded, active automation
    assert f"automation_id: int = {automation_id}" in parameters_cell.source
    assert api(lab, "GET", f"/api/v2/automations/{automation_id}").json()["automation"]["active"] is True
    source = parameters_with(parameters_cell.source, APPROVED)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        cells = open_notebook(page, lab, f"records/interactive/{RUNBOOK}.ipynb").locator(".jp-Cell")
        expect(cells.first).to_be_visible()
        expect(page.get_by_role("button", name="Python 3 (ipykernel) | Idle")).to_be_visible()  # kernel up

        parameters = cells.nth(1).locator(".cm-content")
        parameters.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(source)  # as typed, without the editor's bracket/quote completion
        page.keyboard.press("Escape")

        run_all(page)
        apply_button = page.get_by_role("button", name="Apply this plan")
        expect(apply_button).to_be_visible()
        expect(page.get_by_text("Outcome: planned").last).to_be_visible()
        wait_idle(page)  # finish() has published the dry run's record
        apply_button.click()
        expect(page.get_by_text("Apply this plan: confirmed")).to_be_visible()
        expect(page.get_by_text("was pressed at").first).to_be_visible()  # the instruction, now history

        page.locator(".jp-MarkdownCell", has_text="Snapshot before the change").first.click()
        menu(page, "Run", "Run Selected Cell and All Below")
        expect(page.get_by_text("Outcome: applied").last).to_be_visible()
        wait_idle(page)
        expect(page.get_by_text("confirmed in JupyterLab").first).to_be_visible()  # header and plan updated

        page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        working_copy = lab.root / "records" / "interactive" / f"{RUNBOOK}.ipynb"
        wait_for(
            lambda: any(c.get("outputs") for c in nbformat.read(working_copy, as_version=4).cells),
            30,
            "Ctrl+S to save the working copy",
        )
        browser.close()

    assert api(lab, "GET", f"/api/v2/automations/{automation_id}").json()["automation"]["active"] is False
    entries = wait_for(
        lambda: [e for e in index_lines(lab.records) if e["outcome"] == "applied"],
        30,
        "an applied record in records/index.jsonl",
    )
    assert [e["outcome"] for e in index_lines(lab.records)] == ["planned", "applied"]
    record = entries[-1]
    assert record["changes"][0]["status"] == "verified" and record["changes"][0]["after"] is False
    assert templates_changed(lab) == ""
    html = lab.records / f"{record['name']}.html"
    text = read_record_in_chromium(html, "deactivate_automation_applied.png")
    assert "Superseded:" in text and "went on below" in text  # the dry run's steps, once, named
    assert "Apply this plan was pressed at" in text and "press Apply this plan below" not in text
    shoot_index_page(lab.records, "index_1280.png")


def read_record_in_chromium(html: Path, shot: str) -> str:
    """Open a published HTML record at 1280 px: one outcome section, no widget repr; a full-page screenshot
    is kept. Returns the page's text."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(html.as_uri())
        outcomes = page.locator("h3", has_text="Outcome:")
        expect(outcomes).to_have_count(1)  # the body's one summary (the banner is not a heading)
        text = page.locator("body").inner_text()
        align = page.locator("table.zdlib-table td").first.evaluate("td => getComputedStyle(td).textAlign")
        assert align == "left", "tables in records read like a report: text left-aligned"
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        browser.close()
    assert not [r for r in WIDGET_REPRS if r in text], "a widget repr reached the record"
    assert "Nothing was applied in this run" not in text  # the dry run's verify step is not shown as current
    return text


def shoot_index_page(records: Path, shot: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((records / "index.html").as_uri())
        page.screenshot(path=str(ARTIFACTS / shot), full_page=False)
        browser.close()


def test_an_admin_center_step_is_rehearsed_and_confirmed_and_the_record_reads_as_one_run(lab: Lab):
    """revoke_token for API token 3: apply, the run waits for Admin Center; the sandbox's rehearsal button
    plays the person, "Done in Admin Center" verifies through the API; the record has one outcome."""
    runbook, token_id = "revoke_token", 3
    assert api(lab, "GET", f"/api/v2/api_tokens/{token_id}").json()["api_token"]["active"] is True
    template = nbformat.read(lab.root / "notebooks" / f"{runbook}.ipynb", as_version=4)
    parameters_cell = next(c for c in template.cells if "parameters" in c.metadata.get("tags", []))
    source = parameters_with(parameters_cell.source, {"token_id": token_id, **APPROVED})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        panel = open_notebook(page, lab, f"records/interactive/{runbook}.ipynb")
        cells = panel.locator(".jp-Notebook .jp-Cell")
        expect(cells.first).to_be_visible()
        expect(page.get_by_role("button", name="Python 3 (ipykernel) | Idle")).to_be_visible()
        cells.nth(1).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(source)
        page.keyboard.press("Escape")
        run_all(page)
        apply_button = panel.get_by_role("button", name="Apply this plan")
        expect(apply_button).to_be_visible()
        wait_idle(page)
        apply_button.click()
        expect(panel.get_by_text("Apply this plan: confirmed")).to_be_visible()
        panel.locator(".jp-MarkdownCell", has_text="5. Revoke").first.click()
        menu(page, "Run", "Run Selected Cell and All Below")
        rehearse = panel.get_by_role("button", name="Rehearsal: play it on the sandbox")
        expect(rehearse).to_be_visible()
        wait_idle(page)
        panel.get_by_role("button", name="Done in Admin Center").click()
        expect(panel.get_by_text("the API does not show the change yet")).to_be_visible()
        rehearse.click()
        expect(panel.get_by_text("REHEARSAL (sandbox only)")).to_be_visible()
        panel.get_by_role("button", name="Done in Admin Center").click()
        expect(panel.get_by_text("The run is complete")).to_be_visible()
        wait_idle(page)
        browser.close()
    assert api(lab, "GET", f"/api/v2/api_tokens/{token_id}").json()["api_token"]["active"] is False
    lines = wait_for(
        lambda: [e for e in index_lines(lab.records) if (e["runbook"], e["outcome"]) == (runbook, "applied")],
        30,
        "an applied revoke_token record",
    )
    outcomes = [e["outcome"] for e in index_lines(lab.records) if e["runbook"] == runbook]
    assert outcomes == ["planned", "waiting", "applied"]
    text = read_record_in_chromium(lab.records / f"{lines[-1]['name']}.html", "revoke_token_applied.png")
    assert "Superseded:" in text and "waiting" in text  # the waiting moment, marked with its time
    assert "REHEARSAL (sandbox only)" in text  # the record says the person was played by the sandbox


def test_saving_a_template_through_the_lab_is_refused(lab: Lab):
    """What Ctrl+S or autosave on an opened template sends: a PUT to the contents API."""
    path = f"notebooks/{RUNBOOK}.ipynb"
    headers = {"Authorization": f"token {lab.token}"}
    model = httpx.get(f"{lab.base}/api/contents/{path}", headers=headers, timeout=10).json()
    assert model["writable"] is False  # JupyterLab shows the template as read-only
    model["content"]["cells"][1]["source"] = "automation_id = 1"
    body = {"type": "notebook", "format": "json", "content": model["content"]}
    answer = httpx.put(f"{lab.base}/api/contents/{path}", headers=headers, json=body, timeout=10)
    assert answer.status_code == 403 and "read-only" in answer.json()["message"]
    rename = httpx.patch(
        f"{lab.base}/api/contents/{path}", headers=headers, json={"path": "notebooks/x.ipynb"}, timeout=10
    )
    assert rename.status_code == 403
    assert templates_changed(lab) == ""
    listing = httpx.get(f"{lab.base}/api/contents/", headers=headers, timeout=10).json()
    assert {"README.md", "runbooks.md", "records", "notebooks"} <= {c["name"] for c in listing["content"]}


def test_ctrl_s_on_an_opened_template_changes_nothing(lab: Lab):
    """A template opened from notebooks/ is shown read-only; typing and Ctrl+S leave it as committed."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        cells = open_notebook(page, lab, f"notebooks/{RUNBOOK}.ipynb").locator(".jp-Notebook .jp-Cell")
        expect(cells.first).to_be_visible()
        cells.nth(1).locator(".cm-content").click()
        page.keyboard.insert_text("\napproved_by = 'someone'")
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        expect(page.get_by_text("notebook is read-only")).to_be_visible()  # JupyterLab's own indicator
        page.wait_for_timeout(1000)  # a save request, had there been one, has landed by now
        browser.close()
    assert templates_changed(lab) == ""


def test_the_lab_opens_on_the_start_page_and_never_asks_about_jupyter_news(lab: Lab):
    """First-use F21, F25: a generic Launcher and "Would you like to get notified about official Jupyter
    news?" on every page; now the runbook catalogue, rendered, with links to the working copies."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{lab.base}/?token={lab.token}")  # where JupyterLab sends a bare visit: its default URL
        preview = page.locator(".jp-RenderedMarkdown", has_text="zdlib runbooks: start here")
        expect(preview).to_be_visible()
        expect(preview.get_by_role("link", name="deactivate_automation")).to_be_visible()
        expect(preview.get_by_role("link", name="runbooks.md")).to_be_visible()
        page.wait_for_timeout(3000)  # the news prompt, had it come, shows once the app is restored
        assert page.get_by_text("official Jupyter news").count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab_start_page.png"))
        browser.close()
    start = lab.root / "records" / "interactive" / "START.md"
    assert "revoke_token" in start.read_text()
