"""What a record shows: Markdown notes, tables, charts and progress bars."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import pandas as pd
from IPython.display import Markdown, display

T = TypeVar("T")


def note(text: str) -> None:
    """A Markdown paragraph in the record."""
    display(Markdown(text))


def warn(text: str) -> None:
    """A warning a reviewer cannot miss."""
    display(Markdown(f"> **Warning:** {text}"))


def table(frame: pd.DataFrame | list[dict], *, max_rows: int = 50) -> None:
    """Show a table (a DataFrame, or rows as dicts), truncated to `max_rows` with a note."""
    data = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    if len(data) > max_rows:
        display(data.head(max_rows))
        note(f"_Showing {max_rows} of {len(data)} rows._")
    else:
        display(data)


def headless() -> bool:
    """True when the runner (papermill) executes the notebook: no one is watching widgets."""
    return bool(os.environ.get("ZDLIB_RECORD_STEM"))


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
    """A progress bar: a widget in JupyterLab, a few text lines in a headless record."""
    if headless():
        from tqdm import tqdm

        return iter(tqdm(items, total=total, desc=desc, file=sys.stdout, mininterval=10, ascii=True))
    from tqdm.auto import tqdm as auto_tqdm

    return iter(auto_tqdm(items, total=total, desc=desc))


def bar_chart(
    counts: dict[str, Any] | pd.Series, *, title: str, xlabel: str = "", ylabel: str = "count"
) -> None:
    """A small horizontal bar chart (roles, ages, flags)."""
    import matplotlib.pyplot as plt

    series = counts if isinstance(counts, pd.Series) else pd.Series(counts)
    if series.empty:
        note(f"_{title}: nothing to chart._")
        return
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(series) + 1.2))
    series.sort_values().plot.barh(ax=ax, color="#3b6ea5")
    ax.set_title(title)
    ax.set_xlabel(ylabel)
    ax.set_ylabel(xlabel)
    for i, value in enumerate(series.sort_values()):
        ax.annotate(f"{value:,}", (value, i), xytext=(3, -3), textcoords="offset points", fontsize=8)
    fig.tight_layout()
    display(fig)
    plt.close(fig)
