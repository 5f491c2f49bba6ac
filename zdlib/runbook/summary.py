"""Showing the run's summary in the notebook: the runner reads the JSON part, people read the Markdown."""

from __future__ import annotations

from typing import Any

from IPython.display import display

from zdlib.record.summary import SUMMARY_MIME, summary_markdown


def show_summary(summary: dict[str, Any]) -> None:
    """Display the summary: the runner reads the JSON part, people read the Markdown part."""
    display(
        {
            SUMMARY_MIME: summary,
            "text/markdown": summary_markdown(summary),
            "text/plain": summary_markdown(summary),
        },
        raw=True,
    )


def show_checkpoint(summary: dict[str, Any], line: str) -> None:
    """A one-line progress mark that also carries the summary as it stands, in case the run dies here."""
    display({SUMMARY_MIME: summary, "text/plain": line}, raw=True)
