"""Lazy listings that hold one page at a time: cursor, offset and incremental-export pagination.

Every listing guards against a cursor or URL that repeats (a server bug would otherwise loop forever),
refuses to follow a link to another host (it would carry the credential there), and exposes ``cursor``
so a long listing can resume where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from zdlib.errors import PaginationDepthError, PaginationError

#: ``get(target, params)``: GET a path or an absolute URL on the instance and return the decoded body.
PageGetter = Callable[[str, dict[str, Any] | None], dict[str, Any]]

MAX_PAGE_SIZE = 100
MAX_OFFSET_PAGES = 100
#: Zendesk's search returns at most 1,000 results ("10 pages of 100; `count` still reports the true total;
#: page 11 -> 422", zendesk-api.md §3, from CSA-SURF §5.2 and the OAS SearchUsers operation).
SEARCH_RESULT_LIMIT = 1000


def _query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


class Pages(Iterator[dict[str, Any]]):
    """An iterator over the items of a listing, fetching a page only when the previous one is used up.

    ``cursor`` is where to resume so that nothing is missed: it moves forward only once a page has been
    used up (items of a partly read page may be seen again). ``pages`` counts the pages fetched, ``items``
    their items; ``on_page`` (if set) is called after each page is fetched.
    """

    def __init__(self, get: PageGetter, base_url: str, path: str, key: str, params: dict[str, Any] | None):
        self._get = get
        self._base_url = base_url
        self.path = path
        self.key = key
        self._params = {k: v for k, v in (params or {}).items() if v is not None}
        self.pages = 0
        self.items = 0  # items fetched so far (pages used up or not)
        self.on_page: Callable[[Pages], None] | None = None  # told after each page (progress, e.g.)
        self.cursor: str | None = None
        self._pending: str | None = None
        self._next: tuple[str, dict[str, Any] | None] | None = None
        self._items: list[dict[str, Any]] = []
        self._index = 0
        self._finished = False
        self._seen: set[str] = set()

    def __iter__(self) -> Pages:
        return self

    def __next__(self) -> dict[str, Any]:
        while self._index >= len(self._items):
            if self.pages and self._pending is not None:
                self.cursor = self._pending
            if self._finished:
                self._items, self._index = [], 0
                raise StopIteration
            target, params = self._next or self._first_request()
            body = self._fetch(target, params)
            self._items, self._index = body[self.key], 0
            self._advance(body)
        item = self._items[self._index]
        self._index += 1
        return item

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, pages={self.pages}, cursor={self.cursor!r})"

    # -- what each strategy defines ---------------------------------------------------------------
    def _first_request(self) -> tuple[str, dict[str, Any] | None]:
        raise NotImplementedError

    def _advance(self, body: dict[str, Any]) -> None:
        """Read the page's position fields: set ``_next``, ``_pending`` and ``_finished``."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------------
    def _fetch(self, target: str, params: dict[str, Any] | None) -> dict[str, Any]:
        body = self._get(target, params)
        self.pages += 1
        if not isinstance(body, dict) or not isinstance(body.get(self.key), list):
            raise PaginationError(
                f"The answer for {self.path} (page {self.pages}) has no {self.key!r} list. Check the path "
                "and the key."
            )
        self.items += len(body[self.key])
        if self.on_page is not None:
            self.on_page(self)
        return body

    def _check_link(self, url: str) -> str:
        """Follow only links on the configured instance."""
        if url.startswith("/") and not url.startswith("//"):
            return url
        if not url.startswith(self._base_url + "/"):
            parts = urlsplit(url)
            raise PaginationError(
                f"The next-page link for {self.path} points to {parts.scheme}://{parts.netloc}, not to the "
                f"configured instance {self._base_url}. Refusing to send the credential there; check "
                "ZENDESK_URL (use the exact host the server answers with)."
            )
        return url

    def _guard(self, marker: str) -> None:
        if marker in self._seen:
            raise PaginationError(
                f"Zendesk returned the same cursor or next-page link twice while listing {self.path} "
                f"(after {self.pages} pages). Stopping instead of looping forever; resume later from "
                f"cursor={self.cursor!r} or report the request ids to Zendesk."
            )
        self._seen.add(marker)


class CursorPages(Pages):
    """Cursor pagination: ``page[size]`` (at most ``max_page_size``), ``page[after]``, ``links.next``,
    ``meta.has_more``."""

    def __init__(
        self,
        get: PageGetter,
        base_url: str,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        page_size: int = 100,
        cursor: str | None = None,
        max_page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        super().__init__(get, base_url, path, key, params)
        self.page_size = max(1, min(int(page_size), max_page_size))
        self.cursor = cursor
        if cursor:
            self._seen.add(cursor)

    def _first_request(self) -> tuple[str, dict[str, Any] | None]:
        params = {**self._params, "page[size]": self.page_size}
        if self.cursor:
            params["page[after]"] = self.cursor
        return self.path, params

    def _advance(self, body: dict[str, Any]) -> None:
        meta = body.get("meta") or {}
        links = body.get("links") or {}
        after = meta.get("after_cursor")
        next_url = links.get("next")
        if not after and next_url:
            after = _query_value(next_url, "page[after]")
        if not meta.get("has_more"):
            self._finished = True
            self._pending = after or self._pending
            return
        if not after and not next_url:
            raise PaginationError(
                f"{self.path} says there are more pages but gives no next link or cursor (page {self.pages})."
            )
        self._guard(after or next_url)
        if next_url:
            self._next = (self._check_link(next_url), None)
        else:
            self._next = (self.path, {**self._params, "page[size]": self.page_size, "page[after]": after})
        self._pending = after


class OffsetPages(Pages):
    """Offset pagination (``page``, ``per_page``, ``next_page``); refuses to go past page 100.

    With ``max_results`` (searches: :data:`SEARCH_RESULT_LIMIT`) it stops before a page that would end past
    that many results, sets ``truncated`` and keeps Zendesk's ``count`` of all matches in ``count``.
    """

    def __init__(
        self,
        get: PageGetter,
        base_url: str,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        per_page: int = 100,
    ) -> None:
        super().__init__(get, base_url, path, key, params)
        self.per_page = max(1, min(int(per_page), MAX_PAGE_SIZE))
        self._page = 1
        self.cursor = "1"
        self.max_results: int | None = None
        self.truncated = False
        self.count: int | None = None

    def limit_results(self, max_results: int) -> OffsetPages:
        """Stop at ``max_results`` (a server limit such as search's 1,000) instead of failing past it."""
        self.max_results = int(max_results)
        return self

    def _first_request(self) -> tuple[str, dict[str, Any] | None]:
        return self.path, {**self._params, "per_page": self.per_page}

    def _advance(self, body: dict[str, Any]) -> None:
        if isinstance(body.get("count"), int):
            self.count = body["count"]
        next_url = body.get("next_page")
        if not next_url:
            self._finished = True
            return
        page = _query_value(next_url, "page")
        next_page = int(page) if page and page.isdigit() else self._page + 1
        if self.max_results is not None and next_page * self.per_page > self.max_results:
            self._finished = self.truncated = True
            return
        if next_page > MAX_OFFSET_PAGES:
            raise PaginationDepthError(
                f"Listing {self.path} needs page {next_page}, but Zendesk refuses offset pagination past "
                f"page {MAX_OFFSET_PAGES} ({MAX_OFFSET_PAGES * self.per_page} records here). Use cursor "
                "pagination (client.paginate) or an incremental export, or narrow the query."
            )
        self._guard(next_url)
        if next_page <= self._page:
            raise PaginationError(
                f"{self.path}: next_page goes back from page {self._page} to {next_page}; stopping instead "
                "of looping."
            )
        self._next = (self._check_link(next_url), None)
        self._page = next_page
        self._pending = str(next_page)


class IncrementalPages(Pages):
    """Incremental cursor export: ``start_time`` or ``cursor``, then ``after_url`` until ``end_of_stream``."""

    def __init__(
        self,
        get: PageGetter,
        base_url: str,
        path: str,
        key: str,
        start_time: int = 0,
        cursor: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(get, base_url, path, key, params)
        self.start_time = int(start_time)
        self.cursor = cursor
        if cursor:
            self._seen.add(cursor)

    def _first_request(self) -> tuple[str, dict[str, Any] | None]:
        position = {"cursor": self.cursor} if self.cursor else {"start_time": self.start_time}
        return self.path, {**self._params, **position}

    def _advance(self, body: dict[str, Any]) -> None:
        after = body.get("after_cursor")
        after_url = body.get("after_url")
        if body.get("end_of_stream"):
            self._finished = True
            self._pending = after or self._pending
            return
        if not after and not after_url:
            raise PaginationError(f"{self.path} is not at the end of the stream but gives no cursor.")
        self._guard(after or after_url)
        if after_url:
            self._next = (self._check_link(after_url), None)
        else:
            self._next = (self.path, {**self._params, "cursor": after})
        self._pending = after


__all__ = ["CursorPages", "IncrementalPages", "OffsetPages", "Pages"]
