from __future__ import annotations

import pytest

from tests.client.conftest import BASE, SECRETS, env_for
from zdlib import ConfigError, Settings, load_settings


def test_subdomain_gives_zendesk_url() -> None:
    s = load_settings(environ={"ZENDESK_SUBDOMAIN": "Acme-1", "ZENDESK_OAUTH_TOKEN": "x" * 8})
    assert s.base_url == "https://acme-1.zendesk.com"
    assert s.auth_kind == "oauth"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.zendesk.com/", "https://acme.zendesk.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.9.9.9:1", "http://127.9.9.9:1"),
        ("http://localhost:5000", "http://localhost:5000"),
        ("http://[::1]:5000", "http://[::1]:5000"),
        ("https://Support.Example.COM", "https://support.example.com"),
    ],
)
def test_accepted_urls(url: str, expected: str) -> None:
    assert load_settings(environ=env_for("oauth", ZENDESK_URL=url)).base_url == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://acme.zendesk.com", "http:// is only"),
        ("http://10.0.0.1:8080", "http:// is only"),
        ("https://acme.zendesk.com/api/v2", "without a path"),
        ("https://acme.zendesk.com?x=1", "without a path"),
        ("ftp://acme.zendesk.com", "scheme and host"),
        ("acme.zendesk.com", "scheme and host"),
        ("https://user:pw@acme.zendesk.com", "user name or password"),
    ],
)
def test_refused_urls_name_the_variable(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env_for("oauth", ZENDESK_URL=url))
    assert "ZENDESK_URL" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize("subdomain", ["acme.zendesk.com", "-acme", "ac_me", "a" * 64, "acme/x"])
def test_bad_subdomain(subdomain: str) -> None:
    with pytest.raises(ConfigError, match="ZENDESK_SUBDOMAIN"):
        load_settings(environ={"ZENDESK_SUBDOMAIN": subdomain, "ZENDESK_OAUTH_TOKEN": "abcdefgh"})


def test_url_and_subdomain_must_agree() -> None:
    with pytest.raises(ConfigError, match="disagree"):
        load_settings(environ=env_for("oauth", ZENDESK_SUBDOMAIN="other"))
    assert load_settings(environ=env_for("oauth", ZENDESK_SUBDOMAIN="acme")).base_url == BASE


def test_missing_instance() -> None:
    with pytest.raises(ConfigError, match="ZENDESK_URL"):
        load_settings(environ={"ZENDESK_OAUTH_TOKEN": "abcdefgh"})


@pytest.mark.parametrize("kind", ["token", "oauth", "client_credentials", "password"])
def test_credential_chosen_by_what_is_set(kind: str) -> None:
    s = load_settings(environ=env_for(kind))
    assert s.auth_kind == kind
    assert s.secret in SECRETS.values()


def test_several_credentials_need_zendesk_auth() -> None:
    env = env_for("token") | env_for("oauth")
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env)
    text = str(info.value)
    assert "ZENDESK_AUTH" in text and "token" in text and "oauth" in text
    assert all(secret not in text for secret in SECRETS.values())
    s = load_settings(environ=env | {"ZENDESK_AUTH": "oauth"})
    assert s.auth_kind == "oauth" and s.api_token is None


def test_zendesk_auth_names_missing_variables() -> None:
    with pytest.raises(ConfigError, match="ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET"):
        load_settings(environ=env_for("oauth", ZENDESK_AUTH="client_credentials"))
    with pytest.raises(ConfigError, match="ZENDESK_AUTH must be one of"):
        load_settings(environ=env_for("oauth", ZENDESK_AUTH="magic"))


def test_incomplete_and_absent_credentials() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"ZENDESK_URL": BASE, "ZENDESK_API_TOKEN": SECRETS["api_token"]})
    assert "ZENDESK_EMAIL" in str(info.value)
    assert SECRETS["api_token"] not in str(info.value)
    with pytest.raises(ConfigError, match="No Zendesk credential"):
        load_settings(environ={"ZENDESK_URL": BASE})


def test_environment_wins_over_env_file(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "ZENDESK_URL=https://fromfile.zendesk.com\nZENDESK_OAUTH_TOKEN=filetoken123\nZENDESK_TIMEOUT=5\n"
    )
    s = load_settings(env_file=env_file, environ={"ZENDESK_URL": BASE})
    assert s.base_url == BASE
    assert s.oauth_token == "filetoken123"
    assert s.timeout == 5
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(env_file=tmp_path / "missing.env", environ={})


def test_tunables(tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    s = load_settings(
        environ=env_for(
            "client_credentials",
            ZENDESK_TIMEOUT="12.5",
            ZENDESK_CONCURRENCY="8",
            ZENDESK_DEADLINE="none",
            ZENDESK_RATE_SHARE="0.5",
            ZENDESK_CA_BUNDLE=str(ca),
            ZENDESK_SCOPES="read,write",
            ZENDESK_TOKEN_EXPIRES_IN="900",
        )
    )
    assert (s.timeout, s.concurrency, s.deadline, s.rate_share) == (12.5, 8, None, 0.5)
    assert s.ca_bundle == str(ca) and s.scopes == "read write" and s.token_expires_in == 900


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZENDESK_TIMEOUT", "soon"),
        ("ZENDESK_TIMEOUT", "-1"),
        ("ZENDESK_CONCURRENCY", "2.5"),
        ("ZENDESK_RATE_SHARE", "1.5"),
        ("ZENDESK_RATE_SHARE", "0"),
        ("ZENDESK_CA_BUNDLE", "/nonexistent/ca.pem"),
        ("ZENDESK_TOKEN_EXPIRES_IN", "100"),
    ],
)
def test_bad_tunables_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(environ=env_for("oauth", **{name: value}))


def test_settings_repr_shows_fingerprint_only() -> None:
    for kind in ("token", "oauth", "client_credentials", "password"):
        s = load_settings(environ=env_for(kind))
        text = repr(s) + str(s)
        assert "sha256:" in text
        assert all(secret not in text for secret in SECRETS.values())
    assert len(s.credential_fingerprint) == len("sha256:") + 12


def test_settings_are_frozen_and_checked() -> None:
    s = load_settings(environ=env_for("oauth"))
    with pytest.raises(AttributeError):
        s.base_url = "https://evil.example.com"  # type: ignore[misc]
    with pytest.raises(ConfigError):
        Settings(base_url="http://example.com", auth_kind="oauth", oauth_token="x")
    with pytest.raises(ConfigError, match="ZENDESK_OAUTH_TOKEN"):
        Settings(base_url=BASE, auth_kind="oauth")
