"""What every resource helper shares: the client it talks through, typed as a Protocol.

The Protocol names only what the helpers call, so this package does not import ``zdlib.client`` (which
imports it): no import cycle, even for type checkers.
"""

from __future__ import annotations

from typing import Any, Protocol

from zdlib.pagination import CursorPages, IncrementalPages, OffsetPages


class Api(Protocol):
    """The part of ``zdlib.Client`` that resource helpers use."""

    base_url: str

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]: ...

    def put(self, path: str, json: Any = None, **kwargs: Any) -> dict[str, Any]: ...

    def post(self, path: str, json: Any = None, **kwargs: Any) -> dict[str, Any]: ...

    def delete(self, path: str, **kwargs: Any) -> dict[str, Any] | None: ...

    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: dict[str, Any] | None = None,
        page_size: int = 100,
        cursor: str | None = None,
    ) -> CursorPages: ...

    def paginate_offset(
        self, path: str, key: str, *, params: dict[str, Any] | None = None, per_page: int = 100
    ) -> OffsetPages: ...

    def incremental(
        self,
        path: str,
        key: str,
        *,
        start_time: int = 0,
        cursor: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> IncrementalPages: ...


class Resource:
    """A thin helper over one Zendesk resource; returns plain dicts as Zendesk sends them."""

    def __init__(self, client: Api) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"
