"""Checks made after a run through the API itself, with plain httpx (no client under test involved)."""

from __future__ import annotations

import time
from typing import Any

import httpx


class Referee:
    """Reads the sandbox's state as Zendesk would report it; waits out 429s and retries 5xx."""

    def __init__(self, env: dict[str, str]) -> None:
        auth = (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
        self._http = httpx.Client(base_url=env["ZENDESK_URL"], auth=auth, timeout=30)

    def __enter__(self) -> Referee:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._http.close()

    def get(self, path: str, params: dict | None = None) -> dict[str, Any]:
        for _ in range(50):
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                time.sleep(_retry_after(response))
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError(f"the referee could not read {path}")

    def user_count(self) -> int:
        return int(self.get("/api/v2/users/count")["count"]["value"])

    def automations(self) -> list[dict[str, Any]]:
        """Every automation, by cursor pagination."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page[size]": 100}
        while True:
            page = self.get("/api/v2/automations", params)
            items += page["automations"]
            if not page.get("meta", {}).get("has_more"):
                return items
            params = {"page[size]": 100, "page[after]": page["meta"]["after_cursor"]}


def _retry_after(response: httpx.Response) -> float:
    raw = response.headers.get("retry-after", "")
    try:
        return min(10.0, max(0.1, float(raw.split(",")[0])))
    except ValueError:
        return 1.0
