"""What the kit shows in a record: escaped notes, tables without row numbers, charts, progress."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from zdlib.record.markup import code, code_block, md, neutralize_html
from zdlib.runbook import display
from zdlib.runbook.census import UserCensus
from zdlib.runbook.changes import Change

matplotlib.use("Agg")

URL = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242"


@pytest.fixture
def shown(monkeypatch):
    """Everything `display()` received, in order (figures kept open for inspection)."""
    outputs: list = []
    monkeypatch.setattr(display, "display", lambda obj, **kw: outputs.append(obj))
    monkeypatch.setattr("matplotlib.pyplot.close", lambda fig: None)
    return outputs


def test_notes_escape_values_and_keep_the_template(shown):
    display.note(
        "**Approved** by {who} for {url:url} in {path:code}", who="<b>x</b> *y*", url=URL, path="a`b"
    )
    text = shown[0].data
    assert text.startswith("**Approved** by &lt;b&gt;x&lt;/b&gt; \\*y\\*")
    assert f"<{URL}>" in text and "``a`b``" in text


def test_a_note_without_values_shows_html_as_text_but_keeps_code_spans(shown):
    display.warn("a <script>x</script> and `<b>` stay")
    assert shown[0].data == "> **Warning:** a &lt;script>x&lt;/script> and `<b>` stay"


def test_placeholders_inside_backticks_are_refused():
    with pytest.raises(ValueError, match="name:code"):
        md("`{path}`", path="x")


def test_code_spans_and_blocks_cannot_be_closed_by_their_content():
    assert code("a``b") == "```a``b```"
    block = code_block("x\n````\n<script>", "json")
    assert block.startswith("`````json\n") and block.endswith("\n`````")
    assert neutralize_html("``<i>`") == "``&lt;i>`"  # not a code span in CommonMark: the tag is text


def test_tables_have_no_row_numbers_and_keep_full_urls(shown):
    display.table(pd.DataFrame([{"id": 7, "url": URL}, {"id": 8, "url": "<b>"}], index=[0, 7]))
    html, text = shown[0]["text/html"], shown[0]["text/plain"]
    assert "<th>" not in html.split("<tbody>")[1]  # no index column in the body
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.split("<td>")[2].split("</td>")[0].replace("<wbr>", "") == URL
    assert text.splitlines()[0].split() == ["id", "url"]
    assert text.splitlines()[1].split()[0] == "7"  # not "0"
    assert URL in text


def test_the_plan_table_keeps_urls_whole():
    change = Change("token", 1, "description", None, URL + "?x=" + "y" * 200)
    assert display.plan_table([change])["after"][0] == URL + "?x=" + "y" * 200


def test_count_charts_keep_bucket_order_and_integer_ticks(shown):
    census = UserCensus()
    census.login_ages.update({"never": 1, "< 7 days": 3, "> 365 days": 2})
    display.bar_chart(census.login_age_series(), title="Time since last login")
    ax = shown[0].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[::-1] == ["< 7 days", "7-30 days", "30-90 days", "90-365 days", "> 365 days", "never"]
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_roles_chart_in_role_order(shown):
    census = UserCensus()
    census.roles.update({"admin": 2, "end-user": 40, "agent": 5})
    assert list(census.role_series().index) == ["end-user", "light agent", "agent", "admin"]


def test_headless_progress_prints_one_final_line(monkeypatch, capsys):
    monkeypatch.setenv("ZDLIB_RECORD_STEM", "/tmp/x")
    assert sum(display.progress(range(2500), total=2500, desc="users")) == sum(range(2500))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("users: 2,500 in ")
