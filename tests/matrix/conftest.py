"""Fixtures of the fault and abuse matrix: the shared sandbox reset per case, records and hand-off folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.matrix.api import Api
from tests.matrix.specs import Spec, specs, write_snapshot
from zdlib.sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def matrix_specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Spec]:
    return specs(write_snapshot(tmp_path_factory.mktemp("snapshots")))


@pytest.fixture
def box(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """The session sandbox in its seeded state, with hand-offs kept inside the test's folder."""
    sandbox.control.reset()
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    yield sandbox
    sandbox.control.reset()


@pytest.fixture
def api(box: SandboxServer) -> Iterator[Api]:
    client = Api(box.env)
    yield client
    client.close()


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return tmp_path / "records"
