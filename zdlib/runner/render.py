"""Rendering: the record as HTML, readable without running anything."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter


def render_html(notebook: Path, html: Path, *, hide_input: bool = False) -> Path:
    """Write `html` from `notebook`; `hide_input` leaves out code cells' inputs (for reviewers)."""
    exporter = HTMLExporter()
    if hide_input:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    html.write_text(body, encoding="utf-8")
    return html
