"""What a record shows: Markdown notes, tables, charts and progress.

Notes take a template and values: `note("Automation {id}: {title}", id=..., title=...)` escapes each
value (see `zdlib.record.markup`). A note without values still shows raw HTML as text.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import pandas as pd
from IPython.display import Markdown as MarkdownOutput
from IPython.display import display

from zdlib.record import markup
from zdlib.record.markup import Markdown, md, neutralize_html, soft_breaks
from zdlib.runbook import files
from zdlib.runbook.changes import Change

T = TypeVar("T")
TABLE_CLASS = "zdlib-table"
__all__ = [
    "bar_chart",
    "code_block",
    "headless",
    "note",
    "plan_table",
    "progress",
    "soft_breaks",
    "table",
    "warn",
]


def note(template: str, /, **values: Any) -> None:
    """A Markdown paragraph in the record; each of `values` is escaped into `template`'s `{name}`."""
    display(MarkdownOutput(_markdown(template, values)))


def warn(template: str, /, **values: Any) -> None:
    """A warning a reviewer cannot miss; `values` as in `note()`."""
    text = _markdown(template, values)
    display(MarkdownOutput("> **Warning:** " + text.replace("\n", "\n> ")))


#: The most of one value a record shows (notes, table cells, code blocks). A longer value is shown by its
#: start, its size and its sha256; the snapshot beside the record keeps the object whole. An answer of 200 MB
#: was copied into the notebook, its HTML and the snapshot (security re-test 2026-12-04 L2).
MAX_SHOWN_CHARS = 20_000
SHOWN_START_CHARS = 2_000


def shown(value: Any) -> Any:
    """`value`, or for a longer text its start, size and sha256 (other values as they are)."""
    if not isinstance(value, str) or len(value) <= MAX_SHOWN_CHARS:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:12]
    return (
        f"{value[:SHOWN_START_CHARS]}… [cut: {len(value):,} characters in all, sha256 {digest}…; the record "
        "shows the start only, the snapshot beside it keeps the whole object]"
    )


def code_block(text: Any, language: str = "") -> Markdown:
    """A fenced code block (`zdlib.record.markup.code_block`) of at most MAX_SHOWN_CHARS of `text`."""
    return markup.code_block(shown("" if text is None else str(text)), language)


def _markdown(template: str, values: dict[str, Any]) -> str:
    if values:
        return md(template, **{name: shown(value) for name, value in values.items()})
    return template if isinstance(template, Markdown) else neutralize_html(template)


def table(frame: pd.DataFrame | list[dict], *, max_rows: int = 50) -> None:
    """Show a table (a DataFrame, or rows as dicts) without row numbers, truncated to `max_rows` with a note.

    Cells are escaped and shown whole up to MAX_SHOWN_CHARS (longer: their start, size and sha256); the HTML
    scrolls sideways when it is wider than the page.
    """
    data = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    data = for_people(data)
    head = data.head(max_rows) if len(data) > max_rows else data
    display(table_output(head), raw=True)
    if len(data) > max_rows:
        note("_Showing {shown:,} of {total:,} rows._", shown=max_rows, total=len(data))


def for_people(data: pd.DataFrame) -> pd.DataFrame:
    """Cells as a report writes them: whole numbers without ".0" (pandas makes ids floats next to a gap),
    yes/no for booleans, an empty cell for nothing, text without quotes; long values by `shown()`."""
    if not len(data.columns):
        return data
    return data.astype(object).map(_cell_for_people)


def _cell_for_people(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_cell_for_people(v)) for v in value)
    return shown(value)


def table_output(data: pd.DataFrame) -> dict[str, str]:
    """A DataFrame as HTML and text, without the index, escaped, every cell in full."""
    with pd.option_context("display.max_colwidth", None, "display.width", None):
        html = data.to_html(
            index=False, escape=True, border=0, classes=TABLE_CLASS, na_rep="", justify="left"
        )
        body = soft_breaks(html)
        text = data.to_string(index=False, na_rep="") if len(data.columns) else ""
    return {"text/html": f'<div class="{TABLE_CLASS}-scroll">{body}</div>', "text/plain": text}


def headless() -> bool:
    """True when the runner (papermill) executes the notebook: no one is watching widgets."""
    return files.channel().headless


def fresh_sandbox() -> bool:
    """True when the instance is a sandbox the runner started for this run only (`zdlib run --sandbox`)."""
    return files.channel().fresh_sandbox


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
    """A progress bar in JupyterLab; in a headless record one final line (`users: 2,000 in 1.2 s`)."""
    if headless():
        return _counted(items, total=total, desc=desc)
    from tqdm.auto import tqdm as auto_tqdm

    return iter(auto_tqdm(items, total=total, desc=desc))


def _counted(items: Iterable[T], *, total: int | None, desc: str) -> Iterator[T]:
    """Counted; the engineer's terminal sees the count every few seconds (zdlib.runbook.progress_lines), the
    record only the final line."""
    from zdlib.runbook.progress_lines import progress_file

    started, count, terminal = time.monotonic(), 0, progress_file()
    try:
        for item in items:
            count += 1
            if terminal is not None:
                terminal.counted(desc, count, total, time.monotonic() - started)
            yield item
    finally:
        of = f" of {total:,}" if total is not None and total != count else ""
        label = f"{desc}: " if desc else ""
        print(f"{label}{count:,}{of} in {time.monotonic() - started:.1f} s", file=sys.stdout)


def bar_chart(
    counts: dict[str, Any] | pd.Series,
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "count",
    sort: bool = False,
) -> None:
    """A small horizontal bar chart of counts, bars in the given order (top first), integer ticks.

    Pass buckets in their natural order (e.g. login ages newest to oldest); `sort=True` orders by count.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    series = counts if isinstance(counts, pd.Series) else pd.Series(counts)
    if series.empty:
        note("_{title}: nothing to chart._", title=title)
        return
    if sort:
        series = series.sort_values(ascending=False)
    series = series[::-1]  # barh draws the first bar at the bottom: reverse so the first item is on top
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(series) + 1.2))
    series.plot.barh(ax=ax, color="#3b6ea5")
    ax.set_title(title)
    ax.set_xlabel(ylabel)
    ax.set_ylabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(1, float(series.max())) * 1.12)
    for i, value in enumerate(series):
        label = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
        ax.annotate(label, (value, i), xytext=(3, -3), textcoords="offset points", fontsize=8)
    fig.tight_layout()
    display(fig)
    plt.close(fig)


def plan_table(changes: list[Change]) -> pd.DataFrame:
    """The plan as a table: object, id, field, before, after, status."""
    rows = [
        {
            "object": c.object,
            "id": c.id,
            "field": c.field,
            "before": _short(c.before),
            "after": _short(c.after),
            "status": c.status,
            "note": c.note,
        }
        for c in changes
    ]
    return pd.DataFrame(rows, columns=["object", "id", "field", "before", "after", "status", "note"])


def _short(value: Any, limit: int = 400) -> str:
    """The value as the API writes it (`true`, `false`, `12`, text as it is, nothing for none); a long one is
    cut with "…" (a URL never is: its end is what identifies it)."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=str, ensure_ascii=False)
    if len(text) <= limit or re.fullmatch(r"https?://\S+", text):
        return text
    return text[: limit - 1] + "…"
