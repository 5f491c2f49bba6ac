"""Fixtures of the sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.sandbox.support import client
from zdlib.sandbox.server import SandboxServer


@pytest.fixture
def api(fresh_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """An httpx client for the freshly reset sandbox, as the seeded admin's API token."""
    with client(fresh_sandbox) as http:
        yield http
