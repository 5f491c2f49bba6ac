"""What every resource helper shares: the client it talks through."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zdlib.client import Client


class Resource:
    """A thin helper over one Zendesk resource; returns plain dicts as Zendesk sends them."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"
