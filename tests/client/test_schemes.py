"""One table of credential schemes (zdlib.schemes): every reader agrees with it."""

from __future__ import annotations

import httpx
import pytest

from tests.client.conftest import SECRETS, env_for, make_client
from zdlib import AuthenticationError, load_settings
from zdlib.auth import HEADER_AUTHS, ClientCredentialsAuth
from zdlib.config import AUTH_KINDS, AUTH_VARIABLES
from zdlib.runner.credentials import CREDENTIAL_VARIABLES
from zdlib.runner.environment import AUTH_KIND_BY_VARIABLE
from zdlib.schemes import PREFERENCE, SCHEMES, SECRET_VARIABLES, AuthKind, scheme_of


def test_the_table_has_one_scheme_per_kind() -> None:
    assert [s.kind for s in SCHEMES] == list(AuthKind)
    assert sorted(PREFERENCE) == sorted(AuthKind)
    for scheme in SCHEMES:
        assert scheme.secret_variable in scheme.variables
        assert scheme_of(scheme.kind.value) is scheme
    with pytest.raises(ValueError):
        scheme_of("kerberos")


def test_config_and_the_runner_read_the_table() -> None:
    assert AUTH_KINDS == ("token", "oauth", "client_credentials", "password")
    assert {s.kind.value: s.variables for s in SCHEMES} == AUTH_VARIABLES
    assert CREDENTIAL_VARIABLES[: len(SECRET_VARIABLES)] == SECRET_VARIABLES
    assert "GITLAB_TOKEN" in CREDENTIAL_VARIABLES
    assert [kind for _, kind in AUTH_KIND_BY_VARIABLE] == ["oauth", "client_credentials", "token", "password"]
    assert dict(AUTH_KIND_BY_VARIABLE) == {s.secret_variable: s.kind for s in SCHEMES}


@pytest.mark.parametrize("kind", list(AuthKind))
def test_each_scheme_drives_settings_auth_curl_and_advice(kind: AuthKind) -> None:
    scheme = scheme_of(kind)
    settings = load_settings(environ=env_for(kind.value))
    assert settings.scheme is scheme and settings.secret == SECRETS[_secret_key(kind)]
    expected = ClientCredentialsAuth if kind is AuthKind.CLIENT_CREDENTIALS else HEADER_AUTHS[kind]
    client = make_client(lambda r: httpx.Response(401, json={"error": "Unauthorized"}), kind=kind.value)
    assert type(client._auth) is expected and client._auth.kind == kind
    assert scheme.curl in client.curl("GET", "/api/v2/users/me")
    with pytest.raises(AuthenticationError) as caught:
        client.users.me()
    assert scheme.advice in str(caught.value)


def _secret_key(kind: AuthKind) -> str:
    return {"token": "api_token", "oauth": "oauth_token", "client_credentials": "client_secret"}.get(
        kind.value, kind.value
    )
