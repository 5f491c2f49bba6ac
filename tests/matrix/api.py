"""Plain-HTTP views of the sandbox for the matrix: the state checks never go through the code under test."""

from __future__ import annotations

import time
from typing import Any

import httpx


class Api:
    """The seeded admin's API token over httpx; used only to read state and to revoke a credential."""

    def __init__(self, env: dict[str, str]) -> None:
        auth = (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
        self.http = httpx.Client(base_url=env["ZENDESK_URL"], auth=auth, timeout=30)

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, with 429/5xx/dropped connections waited out (faults are switched off by then)."""
        for _ in range(20):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code != 429 and response.status_code < 500:
                return response
            time.sleep(0.5)
        raise AssertionError(f"{method} {path} kept failing")

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.call("GET", path, params=params)
        response.raise_for_status()
        return response.json()

    def status(self, path: str) -> int:
        return self.call("GET", path).status_code

    def listing(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {**params, "page[size]": 100}
        while True:
            page = self.get(path, **query)
            items += page[key]
            if not (page.get("meta") or {}).get("has_more"):
                return items
            query = {**params, "page[size]": 100, "page[after]": page["meta"]["after_cursor"]}

    def writes(self, stats: dict[str, Any]) -> dict[str, int]:
        """Write requests in a stats snapshot (anything but GET)."""
        return {k: v for k, v in stats["by_endpoint"].items() if not k.startswith("GET ")}
