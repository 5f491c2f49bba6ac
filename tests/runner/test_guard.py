"""Secret-looking parameter names and values, and the forms of a configured credential (no kernel)."""

from __future__ import annotations

import base64
import secrets

import pytest

from zdlib.runner.credentials import configured_secrets
from zdlib.runner.guard import credential_problems, looks_like_generated_token, secret_looking_name


@pytest.mark.parametrize(
    "name", ["token", "api_token", "client_secret", "password", "api_key", "apiKey", "oauth_tokens", "passwd"]
)
def test_secret_names_are_refused(name):
    assert secret_looking_name(name)


@pytest.mark.parametrize(
    "name",
    ["token_id", "secret_url", "access_request_url", "approved_by", "reviewed_by", "requester_email",
     "token_description", "sort_key", "automation_id", "dry_run", "password_reset_by"],
)  # fmt: skip
def test_descriptive_names_are_fine(name):
    assert not secret_looking_name(name)


@pytest.mark.parametrize(
    "value",
    [
        "0a4611c2d5859d965e8dd256201b30448c3a9a8c2c3f2ca0b847e0ad48166e82",  # OAuth-style hex
        "6s6lN-L0IJtsqB2-LcC2thkyueCMctgDPjyvYOhZ",  # urlsafe
        "20187d1caba8118c0494b597384bb58826c4256f",  # 40 hex
        "kvtnxagUIlmO/E5x8S7NnxTGzIt3wAsBxTNqc4Vv",  # base64
    ],
)
def test_generated_tokens_are_recognised(value):
    assert looks_like_generated_token(value)


@pytest.mark.parametrize(
    "value",
    ["12345", "Automation2026Cleanup", "deactivate_automation_2026_11_28", "https://acme.zendesk.com/agent/x",
     "/api/v2/users/search.json?query=role:admin", "ada.lovelace@example.com", "role:admin type:user",
     "0b1c7a4e-8f2d-4c1e-9a6b-3d2f1e0c9b8a", "aaaaaaaaaaaaaaaaaaaaaaaa1"],
)  # fmt: skip
def test_ordinary_values_are_not_tokens(value):
    assert not looks_like_generated_token(value)


def test_values_carrying_credentials_are_refused():
    token = secrets.token_urlsafe(30)
    configured = configured_secrets([{"ZENDESK_EMAIL": "ada@example.com", "ZENDESK_API_TOKEN": token}])
    problems = credential_problems(
        {
            "header": "Bearer abc.def",
            "basic": "Basic YWRhOnB3",
            "pair": "ada@example.com/token:xyz",
            "note": f"the token is {token}",
            "body": {"nested": ["ok", token]},
            "fine": "hello world",
            "api_token": "x",
            "create_secret": "True",
            "reveal_password": False,
        },
        configured,
    )
    assert len(problems) == 6
    assert not any(token in problem for problem in problems)  # messages never repeat the value
    assert "ZENDESK_API_TOKEN" in problems[3]


def test_configured_forms_cover_base64_and_pairs():
    token, password = "t0k3n-" + secrets.token_hex(8), "correct horse battery"
    found = configured_secrets(
        [{"ZENDESK_EMAIL": "ada@example.com", "ZENDESK_API_TOKEN": token, "ZENDESK_PASSWORD": password}]
    )
    values = [s.value for s in found]
    encoded_pair = base64.b64encode(f"ada@example.com/token:{token}\n".encode()).decode()
    assert token in values and password in values
    assert any(encoded_pair.startswith(v) for v in values)  # `echo ... | base64` form
    assert any(
        base64.b64encode(f"ada@example.com:{password}".encode()).decode().startswith(v) for v in values
    )
    assert all(len(v) >= 8 for v in values)


def test_a_substantial_part_of_a_configured_secret_is_refused_without_echoing_it():
    token = secrets.token_urlsafe(30)  # 40 characters, like a Zendesk API token
    oauth = secrets.token_hex(32)
    email = "margaret.hamilton@example.com"
    configured = configured_secrets(
        [{"ZENDESK_EMAIL": email, "ZENDESK_API_TOKEN": token, "ZENDESK_OAUTH_TOKEN": oauth}]
    )
    pieces = {
        "first_half": f"note: {token[:20]}",
        "middle": f"x{oauth[20:40]}y",
        "split_by_lines": "\n".join([token[:14], token[14:28], token[28:]]),
        "split_by_spaces": " ".join(oauth[i : i + 8] for i in range(0, 64, 8)),
        "in_a_list": ["fine", token[-17:]],
    }
    problems = credential_problems(pieces, configured)
    assert len(problems) == len(pieces), problems
    assert all("configured credential" in problem for problem in problems)
    for problem in problems:  # neither the secret nor the part found is repeated
        assert not any(token[i : i + 8] in problem or oauth[i : i + 8] in problem for i in range(0, 32))


def test_ordinary_values_sharing_little_with_a_secret_pass():
    token = secrets.token_urlsafe(30)
    email = "margaret.hamilton@example.com"
    configured = configured_secrets([{"ZENDESK_EMAIL": email, "ZENDESK_API_TOKEN": token}])
    fine = {
        "requester_email": email,  # the email is in the `email/token:` form, and is not a secret
        "note": f"margaret.hamilton@example.com/tokens are rotated; {token[:15]}",  # 15 characters: a hint
        "automation_id": 12345,
    }
    assert credential_problems(fine, configured) == []
