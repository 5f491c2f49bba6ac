"""Shared fixtures: an isolated environment (no real credentials, no home-folder writes)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).parent / "notebooks"
CONTRACT = NOTEBOOKS / "contract.ipynb"


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """No ZENDESK_* from the caller; a real random API token configured; cwd and hand-off in tmp."""
    import os

    for name in list(os.environ):
        if name.startswith(("ZENDESK_", "ZDLIB_")):
            monkeypatch.delenv(name)
    token = "zd" + secrets.token_urlsafe(30)  # a leading "-" would read as an option
    configured = {
        "ZENDESK_URL": "https://acme.zendesk.com",
        "ZENDESK_EMAIL": "ada@example.com",
        "ZENDESK_API_TOKEN": token,
    }
    for name, value in configured.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(tmp_path / "handoff"))
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(tmp_path / "sandbox-handoff"))
    monkeypatch.chdir(tmp_path)
    return configured


@pytest.fixture
def records_dir(tmp_path: Path) -> Path:
    return tmp_path / "records"
