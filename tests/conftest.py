"""Project-wide fixtures: a sandbox Zendesk shared by the session, and a helper to reset it.

Also the `e2e` marker (tests/e2e.py): every test that starts a Jupyter kernel or a browser is marked at
collection, by what it uses; `pytest -m "not e2e"` (`make test-fast`) is the inner loop, and a test that
is not marked e2e but starts a kernel errors at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import KernelGuard, e2e_reason
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
def _rehearsal_handoff(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rehearsals hand off into the sandbox's folder (zdlib.record.channel): a temporary one in tests."""
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(tmp_path_factory.mktemp("sandbox-handoff")))


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """The secret registry is process-wide: a test's secrets must not redact the next test's text."""
    yield
    forget_registered_secrets()


KERNEL_GUARD = pytest.StashKey[KernelGuard]()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") is None and item.get_closest_marker("no_kernel") is None:
            reason = e2e_reason(item)
            if reason:
                item.add_marker(pytest.mark.e2e(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("e2e") is None:
        item.stash[KERNEL_GUARD] = KernelGuard()  # from before its fixtures are set up
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        guard = item.stash.get(KERNEL_GUARD, None)
        if guard is not None and guard.stop():
            pytest.fail(
                f"{item.nodeid} started a Jupyter kernel (IPython created {guard.folder}/profile_default) "
                "but is not marked e2e: teach tests/e2e.py what it uses, or mark it @pytest.mark.e2e "
                "(not no_kernel)",
                pytrace=False,
            )
