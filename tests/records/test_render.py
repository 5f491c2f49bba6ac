"""The HTML record as a report: banner from the final summary, sanitized content, offline, code hidden."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.records.html_check import inspect_html
from zdlib.record.summary import SUMMARY_MIME
from zdlib.runner.render import render_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[Maria Manager](javascript:alert(3))",
    'https://gitlab.example/ar/1"><script>alert(4)</script>',
    "``<script>alert(5)</script>`",
    "<svg onload=alert(6)>",
    '<a href="javascript:alert(7)">x</a>',
]
HOSTILE_TEXT = " ".join(HOSTILE)


def summary(**overrides):
    base = {
        "runbook": "deactivate_automation",
        "version": "1.0.0",
        "outcome": "applied",
        "reason": "1 change(s) applied and verified by reading them back.",
        "target": "12345",
        "instance": "http://127.0.0.1:40613",
        "sandbox": True,  # the kit's proven fact (zdlib.instance), not the loopback URL
        "operator": {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "role": "admin"},
        "auth_kind": "oauth",
        "credential_fingerprint": "sha256:5c19a42bd0d6",
        "dry_run": False,
        "approval": {
            "access_request_url": "https://gitlab.com/acme/access-requests/-/issues/4242",
            "approved_by": "Maria Manager",
            "reviewed_by": "Sam Security",
            "verified": True,
        },
        "started_at": "2026-11-28T12:00:00Z",
        "finished_at": "2026-11-28T12:00:02Z",
        "changes": [
            {
                "object": "automation",
                "id": 12345,
                "field": "active",
                "before": True,
                "after": False,
                "status": "verified",
                "request_id": "r-1",
                "note": "",
            },
        ],
        "request_ids": ["r-1"],
        "audit_log_ids": [5007],
        "files": ["/records/x.snapshot-automation-12345.json"],
    }
    return {**base, **overrides}


def hostile_notebook(final: dict) -> nbformat.NotebookNode:
    """Hostile values in every kind of cell and output a notebook can hold, and papermill's extras."""
    v4 = nbformat.v4
    error_banner = v4.new_markdown_cell(
        '<span style="color:red">An Exception was encountered at <a href="#papermill-error-cell">In [6]</a>.'
    )
    error_banner.metadata["tags"] = ["papermill-error-cell-tag"]
    parameters = v4.new_code_cell("automation_id: int = 12345  # the id")
    parameters.metadata["tags"] = ["parameters"]
    injected = v4.new_code_cell("# Parameters\nautomation_id = 12345\n")
    injected.metadata["tags"] = ["injected-parameters"]
    code = v4.new_code_cell("run = rb.start_run(...)  # SECRET_LOOKING_CODE", execution_count=3)
    code.outputs = [
        v4.new_output("display_data", {"text/markdown": f"Title: {HOSTILE_TEXT}", "text/plain": "md"}),
        v4.new_output("display_data", {"text/html": f"<div>{HOSTILE_TEXT}</div>", "text/plain": "html"}),
        v4.new_output("display_data", {"image/svg+xml": "<svg onload=alert(8)></svg>", "text/plain": "svg"}),
        v4.new_output("display_data", {"application/javascript": "alert(9)", "text/plain": "js"}),
        v4.new_output(
            "display_data",
            {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "a widget"},
        ),
        v4.new_output("display_data", {"text/html": '<img src="https://tracker.example/p.png">'}),
        v4.new_output("stream", name="stdout", text=HOSTILE_TEXT),
        v4.new_output("display_data", {SUMMARY_MIME: {**final, "outcome": "planned"}, "text/markdown": "x"}),
    ]
    stopped = v4.new_code_cell("run.require_approval(...)", execution_count=4)
    stopped.outputs = [v4.new_output("error", ename="Refused", evalue="no", traceback=[])]
    pending_heading = v4.new_markdown_cell("## 5. Snapshot before the change")
    pending_heading.metadata["papermill"] = {"status": "pending"}
    pending_code = v4.new_code_cell("run.snapshot(...)")
    pending_code.metadata["papermill"] = {"status": "pending"}
    nb = v4.new_notebook(
        cells=[
            error_banner,
            v4.new_markdown_cell(f"# Runbook\n\n{HOSTILE_TEXT}\n\n![x](https://tracker.example/q.png)"),
            parameters,
            injected,
            code,
            stopped,
            pending_heading,
            pending_code,
        ]
    )
    nb.metadata["zdlib"] = {"summary": final}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def render(tmp_path: Path, nb, **kwargs) -> tuple[str, object]:
    source = tmp_path / "record.ipynb"
    nbformat.write(nb, source)
    html = render_html(source, tmp_path / "record.html", **kwargs)
    return html.read_text(encoding="utf-8"), inspect_html(html)


def test_hostile_content_everywhere_runs_nothing_and_loads_nothing(tmp_path):
    final = summary(
        target=HOSTILE_TEXT,
        reason=f"Refused:\n- approved_by {HOSTILE[0]}\n- {HOSTILE[2]}",
        operator={"id": 1, "name": HOSTILE[1], "email": HOSTILE[3], "role": HOSTILE[5]},
        approval={"access_request_url": HOSTILE[3], "approved_by": HOSTILE[0], "reviewed_by": HOSTILE[2]},
        changes=[
            {
                "object": HOSTILE[1],
                "id": HOSTILE[0],
                "field": HOSTILE[4],
                "before": HOSTILE[5],
                "after": HOSTILE[6],
                "status": "applied",
                "note": HOSTILE[2],
            }
        ],
        files=[HOSTILE[0]],
        runbook=HOSTILE[0],
    )
    page, found = render(tmp_path, hostile_notebook(final))
    assert found.dangerous == []
    assert found.network_loads == []
    assert "svg" not in found.tags and "iframe" not in found.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as the text it is, not dropped


def test_banner_reads_the_final_summary(tmp_path):
    page, found = render(tmp_path, hostile_notebook(summary()))
    banner = page[page.index('class="zd-banner') : page.index("</section>")]
    assert found.title == "deactivate_automation 12345: applied (SANDBOX)"
    assert "APPLIED" in banner and "SANDBOX" in banner
    assert "Ada Admin" in banner and "ada@example.com" in banner
    assert "approval verified" in banner and "Maria Manager" in banner and "Sam Security" in banner
    assert "<code>true</code> → <code>false</code>" in banner and "verified" in banner
    assert "https://gitlab.com/acme/access-requests/-/issues/4242" in banner
    # The kit's summary at the bottom said "planned": the view re-renders it from the final summary.
    assert "Outcome: <strong>applied</strong>" in page and "Outcome: <strong>planned</strong>" not in page


@pytest.mark.parametrize("approval", [None, {"approved_by": "M", "reviewed_by": "S"}, {"verified": False}])
def test_an_unverified_or_missing_approval_is_said_prominently(tmp_path, approval):
    page, _ = render(tmp_path, hostile_notebook(summary(approval=approval)))
    banner = page[page.index('class="zd-banner') : page.index("</section>")]
    assert "NO APPROVAL" in banner if approval is None else "approval NOT verified" in banner


def test_papermill_cells_and_refusal_noise_are_left_out_and_code_is_hidden_until_asked(tmp_path):
    final = summary(outcome="refused", reason="No change was made because:\n- approved_by is missing")
    page, found = render(tmp_path, hostile_notebook(final))
    assert "An Exception was encountered" not in page
    assert "automation_id: int = 12345" not in page and "# Parameters" not in page
    assert "REFUSED" in page and "approved_by is missing" in page
    assert "Not run" in page and "5. Snapshot before the change" in page
    assert "SECRET_LOOKING_CODE" in page  # the code is there, hidden by CSS until "Show code" is ticked
    assert 'id="zd-show-code"' in page
    assert found.scripts == []


def test_hide_input_leaves_the_code_out(tmp_path):
    page, _ = render(tmp_path, hostile_notebook(summary()), hide_input=True)
    assert "SECRET_LOOKING_CODE" not in page and 'id="zd-show-code"' not in page


def test_a_real_instance_is_not_marked_sandbox(tmp_path):
    page, found = render(
        tmp_path, hostile_notebook(summary(instance="https://acme.zendesk.com", sandbox=False))
    )
    assert "SANDBOX" not in page
    assert found.title == "deactivate_automation 12345: applied"


def test_a_loopback_instance_that_did_not_prove_it_is_not_marked_sandbox(tmp_path):
    # security re-test 2026-12-04 M5: a tunnel or proxy to a real instance is on loopback too
    page, found = render(tmp_path, hostile_notebook(summary(sandbox=False)))
    assert "SANDBOX" not in page and found.title == "deactivate_automation 12345: applied"


def test_no_summary_is_said_plainly(tmp_path):
    nb = hostile_notebook(summary())
    nb.metadata.pop("zdlib")
    nb.cells[4].outputs = [o for o in nb.cells[4].outputs if SUMMARY_MIME not in o.get("data", {})]
    page, found = render(tmp_path, nb)
    assert "NO SUMMARY" in page and found.dangerous == []
    assert "Parameters given to this run" in page  # the kit never showed its parameter table


def test_parameters_given_are_shown_once_when_the_kit_stopped_before_its_header(tmp_path):
    nb = hostile_notebook(summary(operator={}))
    nb.metadata["papermill"] = {"parameters": {"automation_id": 12345, "approved_by": HOSTILE[0]}}
    page, found = render(tmp_path, nb)
    assert page.count("Parameters given to this run") == 1 and "automation_id" in page
    assert found.dangerous == []
    page, _ = render(tmp_path, hostile_notebook(summary()))
    assert "Parameters given to this run" not in page  # the kit's own table is there


def test_gitlab_evidence_and_mode_are_shown(tmp_path):
    approval = {
        **summary()["approval"],
        "source": "gitlab",
        "label_event": {
            "id": 31,
            "label": "approved",
            "action": "add",
            "user": "maria.manager",
            "created_at": "2026-11-27T09:00:00Z",
        },
    }
    page, _ = render(tmp_path, hostile_notebook(summary(approval=approval, mode="read-only")))
    banner = page[page.index('class="zd-banner') : page.index("</section>")]
    assert "label approved add by maria.manager at 2026-11-27T09:00:00Z (GitLab event 31)" in banner
    assert "<td>read-only</td>" in banner
    page, _ = render(tmp_path, hostile_notebook(summary(dry_run=True, mode="headless")))
    assert "<td>dry run (headless)</td>" in page
    page, _ = render(tmp_path, hostile_notebook(summary(mode="read-only", run_mode="interactive")))
    assert "<td>read-only (interactive)</td>" in page


def test_a_reason_reads_as_prose_code_spans_and_links_never_markup():
    """First-use F24: no literal backticks in the banner, and a URL in a refusal is a link."""
    from zdlib.runner.banner import prose

    html = prose("use `kind='oauth'`: see https://support.zendesk.com/hc/en-us/articles/1?a=1&b=2.")
    assert "<code>kind=&#x27;oauth&#x27;</code>" in html and "`" not in html
    assert '<a href="https://support.zendesk.com/hc/en-us/articles/1?a=1&amp;b=2" rel="noreferrer">' in html
    assert html.endswith("</a>.")
    hostile = prose('https://x.test/"><script>alert(1)</script> `<img src=x onerror=alert(1)>`')
    assert "<script>" not in hostile and "<img" not in hostile
    assert 'href="https://x.test/"' in hostile  # the link ends where the URL does


def test_the_summary_step_is_not_named_not_run_when_the_summary_is_shown_where_the_run_stopped(tmp_path):
    """First-use F15: "Not run: ... 8. Summary" right under the summary that is shown."""
    nb = hostile_notebook(summary(outcome="refused", reason="No change was made."))
    heading = nbformat.v4.new_markdown_cell("## 8. Summary")
    finish = nbformat.v4.new_code_cell("run.finish()")
    for cell in (heading, finish):
        cell.metadata["papermill"] = {"status": "pending"}
    nb.cells.extend([heading, finish])
    page, _ = render(tmp_path, nb)
    assert "Not run" in page and "5. Snapshot before the change" in page
    assert "8. Summary" not in page
