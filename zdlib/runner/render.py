"""Rendering: the record as one self-contained HTML page, readable offline without running anything.

The page opens with the runner's verdict (a banner built from `metadata.zdlib.summary`), then the
procedure as it ran: Markdown, tables and charts, code hidden until "Show code" is ticked (a CSS toggle,
no script). Everything the notebook produced is sanitized (nh3); nothing is loaded from the network.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from zdlib.record.summary import read_summary
from zdlib.runner.banner import banner_html, page_title
from zdlib.runner.record_view import record_view
from zdlib.runner.sanitize import clean_html

BANNER_MARK, BODY_MARK, END_MARK = "<!--zdlib:banner-->", "<!--zdlib:body-->", "<!--zdlib:end-->"
TEMPLATE_NAME = "zdlib_record.html.j2"
CSS = """
body.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 1em 1.5em 3em; }
.zd-banner { border: 2px solid #888; border-left-width: 12px; border-radius: 6px; padding: .8em 1.2em;
  margin: 1em 0 1.5em; font-family: var(--jp-ui-font-family, sans-serif); background: #fafafa; }
.zd-outcome { font-size: 2em; font-weight: 700; letter-spacing: .04em; }
.zd-meaning { font-size: .45em; font-weight: 400; letter-spacing: 0; margin-left: 1em; color: #333; }
.zd-outcome-applied { border-color: #1a7f37; } .zd-outcome-applied .zd-outcome { color: #1a7f37; }
.zd-outcome-planned { border-color: #0969da; } .zd-outcome-planned .zd-outcome { color: #0969da; }
.zd-outcome-no-op { border-color: #6e7781; } .zd-outcome-no-op .zd-outcome { color: #57606a; }
.zd-outcome-refused { border-color: #bc4c00; background: #fff8f0; }
.zd-outcome-refused .zd-outcome { color: #bc4c00; }
.zd-outcome-failed, .zd-outcome-interrupted { border-color: #cf222e; background: #fff5f5; }
.zd-outcome-failed .zd-outcome, .zd-outcome-interrupted .zd-outcome { color: #cf222e; }
.zd-outcome-waiting { border-color: #9a6700; background: #fffbeb; }
.zd-outcome-waiting .zd-outcome { color: #9a6700; }
.zd-sandbox { background: repeating-linear-gradient(45deg, #ffe066, #ffe066 12px, #fff3bf 12px, #fff3bf 24px);
  color: #000; font-weight: 700; padding: .4em .8em; margin: -.2em 0 .6em; border-radius: 4px; }
.zd-reason { margin: .3em 0; font-size: 1.05em; }
.zd-reasons { margin: .2em 0 .4em 1.2em; }
.zd-note { color: #555; }
.zd-facts, .zd-changes { border-collapse: collapse; margin: .6em 0; }
.zd-facts th, .zd-facts td, .zd-changes th, .zd-changes td { text-align: left; vertical-align: top;
  padding: .2em .8em .2em 0; border-bottom: 1px solid #e5e5e5; overflow-wrap: break-word; }
.zd-facts th { white-space: nowrap; color: #444; font-weight: 600; }
.zd-tag { display: inline-block; padding: 0 .4em; border-radius: 3px; background: #eee; font-size: .9em; }
.zd-tag-ok { background: #dafbe1; color: #1a7f37; }
.zd-tag-sandbox { background: #ffe066; color: #000; font-weight: 700; }
.zd-alarm { color: #cf222e; text-transform: none; }
.zd-status-verified { color: #1a7f37; font-weight: 600; }
.zd-status-failed { color: #cf222e; font-weight: 600; }
.zd-scroll, .zdlib-table-scroll, .jp-OutputArea-output { overflow-x: auto; max-width: 100%; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { overflow-wrap: break-word; }
.zdlib-table { border-collapse: collapse; }
/* table.zdlib-table outweighs JupyterLab's right-aligned :not(.jp-RenderedMarkdown) rule */
.jp-RenderedHTMLCommon table.zdlib-table td, .jp-RenderedHTMLCommon table.zdlib-table th,
.jp-RenderedHTMLCommon table.zdlib-table tr { text-align: left; }
.zd-toggle { margin: 0 0 1em; font-family: var(--jp-ui-font-family, sans-serif); }
#zd-show-code:not(:checked) ~ main .jp-CodeCell .jp-Cell-inputWrapper { display: none; }
#zd-show-code:not(:checked) ~ main .jp-CodeCell.jp-mod-noOutputs { display: none; }
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
@media print { #zd-show-code, label[for=zd-show-code] { display: none; } }
"""
TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">"""
    + CSS
    + """</style>{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
"""
    + BANNER_MARK
    + """
<main>
"""
    + BODY_MARK
    + """
{%- endblock body_header -%}
{%- block body_footer -%}
"""
    + END_MARK
    + """
</main>
</body>
{%- endblock body_footer -%}
"""
)
TOGGLE = (
    '<input type="checkbox" id="zd-show-code" class="zd-toggle">'
    '<label for="zd-show-code" class="zd-toggle"> Show code (the cells as they ran)</label>'
)


def render_html(
    notebook: Path, html: Path, *, hide_input: bool = False, summary: dict[str, Any] | None = None
) -> Path:
    """Write `html` from the record `notebook` and return it.

    The banner shows `summary`, else the notebook's `metadata.zdlib.summary` (the runner's verdict),
    else the kit's last summary output. Code is hidden until asked for; `hide_input` leaves it out.
    """
    nb = nbformat.read(notebook, as_version=4)
    summary = summary or (nb.metadata.get("zdlib") or {}).get("summary") or read_summary(nb)
    html.write_text(render_page(nb, summary, hide_input=hide_input), encoding="utf-8")
    return html


def render_page(nb: Any, summary: dict[str, Any] | None, *, hide_input: bool = False) -> str:
    """The record's HTML page as a string."""
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})],
        template_file=TEMPLATE_NAME,
    )
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_input = hide_input
    exporter.anchor_link_text = ""
    resources = {"metadata": {"name": page_title(summary)}}
    view = record_view(nb, summary)
    view.metadata.pop("title", None)
    page, _ = exporter.from_notebook_node(view, resources=resources)
    return _assemble(page, summary, hide_input=hide_input)


def _assemble(page: str, summary: dict[str, Any] | None, *, hide_input: bool) -> str:
    """Sanitize everything between the template's own marks, then put the trusted banner in place.

    The first body mark and the last end mark are the template's (notebook content comes between them
    and cannot move them: a forged mark is inside the sanitized part, and comments are removed there).
    """
    start, end = page.index(BODY_MARK) + len(BODY_MARK), page.rindex(END_MARK)
    head, body, tail = page[:start], page[start:end], page[end:]
    banner = banner_html(summary) + ("" if hide_input else TOGGLE)
    head = head.replace(BANNER_MARK, banner, 1).replace(BODY_MARK, "")
    head = _checked_title(head, page_title(summary))
    return head + clean_html(body) + tail.replace(END_MARK, "")


def _checked_title(head: str, title: str) -> str:
    """The `<title>` as we mean it (the exporter escapes it; this makes sure it is ours)."""
    open_at, close_at = head.find("<title>"), head.find("</title>")
    if open_at < 0 or close_at < 0:
        return head
    return head[:open_at] + f"<title>{escape(title)}</title>" + head[close_at + len("</title>") :]
