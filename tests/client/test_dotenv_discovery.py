"""Where the client finds `.env`: the nearest one from the working directory up, unless disabled."""

from __future__ import annotations

import pytest

from zdlib import load_settings

VARIABLES = (
    "ZENDESK_URL", "ZENDESK_SUBDOMAIN", "ZENDESK_OAUTH_TOKEN", "ZENDESK_API_TOKEN", "ZENDESK_EMAIL",
    "ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET", "ZENDESK_PASSWORD", "ZENDESK_AUTH",
    "PYTHON_DOTENV_DISABLED",
)  # fmt: skip


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "ZENDESK_URL=https://acme.zendesk.com\nZENDESK_OAUTH_TOKEN=from-dotenv-123456\n"
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)
    return tmp_path


def test_a_notebook_folder_finds_the_repository_env(project):
    settings = load_settings()
    assert settings.base_url == "https://acme.zendesk.com"
    assert settings.auth_kind == "oauth"


def test_the_environment_wins_over_env(project, monkeypatch):
    monkeypatch.setenv("ZENDESK_URL", "https://other.zendesk.com")
    assert load_settings().base_url == "https://other.zendesk.com"


def test_python_dotenv_disabled_ignores_env(project, monkeypatch):
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "sandboxed")
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "from-environment-123456")
    assert load_settings().base_url == "https://sandboxed.zendesk.com"
