"""Project-wide fixtures: a sandbox Zendesk shared by the session, and a helper to reset it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zdlib.redact import forget_registered_secrets
from zdlib.sandbox.server import SandboxServer

# Defaults suitable for tests: a fixed clock date, a small account, a window short enough for 429 tests.
SANDBOX_TEST_OPTIONS = {"users": 2000, "as_of": "2026-11-28", "seed": 1}


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """A started sandbox (http on loopback, enterprise limits, seeded admin in `sandbox.env`)."""
    with SandboxServer(**SANDBOX_TEST_OPTIONS) as server:
        yield server


@pytest.fixture
def fresh_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """The session sandbox reset to its seeded state (data, clock, faults, counters, rate window)."""
    sandbox.control.reset()
    return sandbox


@pytest.fixture
def api_token_writes(fresh_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """The fresh sandbox also serving its invented POST/PUT/DELETE /api/v2/api_tokens (off by default)."""
    monkeypatch.setattr(fresh_sandbox.options, "api_token_writes", True)
    return fresh_sandbox


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """The secret registry is process-wide: a test's secrets must not redact the next test's text."""
    yield
    forget_registered_secrets()
