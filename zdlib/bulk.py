"""Apply one call to many items with bounded concurrency; one result or one error for every item."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BulkResult(Generic[T, R]):
    """The outcome for one item: ``value`` if ``fn(item)`` returned, else the ``error`` it raised."""

    item: T
    value: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_bulk(fn: Callable[[T], R], items: Iterable[T], *, concurrency: int = 4) -> list[BulkResult[T, R]]:
    """Call ``fn`` on every item, at most ``concurrency`` at a time; results keep the items' order.

    Nothing is dropped and nothing is swallowed: an exception becomes that item's ``error``. Pacing and
    retries come from the client ``fn`` uses, whose limiter is shared by all worker threads.
    """
    todo = list(items)

    def one(item: T) -> BulkResult[T, R]:
        try:
            return BulkResult(item, fn(item))
        except Exception as exc:
            return BulkResult(item, None, exc)

    workers = max(1, min(int(concurrency), len(todo) or 1))
    if workers == 1:
        return [one(item) for item in todo]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zdlib-bulk") as pool:
        return list(pool.map(one, todo))


def summarize(results: list[BulkResult[Any, Any]]) -> dict[str, int]:
    """Counts of successes and failures."""
    failed = sum(1 for r in results if not r.ok)
    return {"total": len(results), "ok": len(results) - failed, "failed": failed}


__all__ = ["BulkResult", "run_bulk", "summarize"]
