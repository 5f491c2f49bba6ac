"""Shared helpers: a fake clock, settings and a client over httpx.MockTransport."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from zdlib import Client, load_settings
from zdlib.auth import reset_deprecation_warnings

BASE = "https://acme.zendesk.com"
SECRETS = {
    "api_token": "tok-6f1d2c9a8b7e",
    "oauth_token": "oauth-3b9e7a1c5d2f",
    "client_secret": "cs-9a8b7c6d5e4f3a2b",
    "password": "pw-hunter2-xyz",
}


class FakeClock:
    """A monotonic clock whose sleep advances time instantly (thread-safe)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def env_for(kind: str = "oauth", **extra: str) -> dict[str, str]:
    env = {"ZENDESK_URL": BASE}
    if kind == "token":
        env |= {"ZENDESK_EMAIL": "ops@example.com", "ZENDESK_API_TOKEN": SECRETS["api_token"]}
    elif kind == "oauth":
        env |= {"ZENDESK_OAUTH_TOKEN": SECRETS["oauth_token"]}
    elif kind == "client_credentials":
        env |= {"ZENDESK_CLIENT_ID": "zdlib_ops", "ZENDESK_CLIENT_SECRET": SECRETS["client_secret"]}
    elif kind == "password":
        env |= {"ZENDESK_EMAIL": "ops@example.com", "ZENDESK_PASSWORD": SECRETS["password"]}
    env |= extra
    return env


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler, kind: str = "oauth", clock: FakeClock | None = None, rand: float = 1.0, **extra: Any
) -> Client:
    """A client over a mock transport; with a fake clock unless ``clock=False`` is wanted."""
    env_extra = {k: v for k, v in extra.items() if k.startswith("ZENDESK_")}
    kwargs = {k: v for k, v in extra.items() if not k.startswith("ZENDESK_")}
    clock = clock or FakeClock()
    settings = load_settings(environ=env_for(kind, **env_extra))
    return Client(
        settings,
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        rand=lambda: rand,
        **kwargs,
    )


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


@pytest.fixture(autouse=True)
def _fresh_warnings() -> None:
    reset_deprecation_warnings()
