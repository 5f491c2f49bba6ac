"""The credential schemes zdlib knows, in one table: what each needs, where its secret is, how to say it.

``config`` (which variables to read), ``client`` (which ``httpx.Auth``, the curl form), ``errors`` (the
advice after a 401) and the runner (which variables hold secrets, which kind an env file carries) all read
this table. Pure data: importing it loads nothing else.

Zendesk's schemes: ``zendesk-api.md`` section 1.1 (API token as Basic ``email/token:TOKEN``, OAuth bearer,
the client-credentials grant at ``POST /oauth/tokens``, legacy Basic ``email:password``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AuthKind(StrEnum):
    """A credential scheme, by the name ``ZENDESK_AUTH`` takes."""

    TOKEN = "token"  # an API token (Zendesk turns every one off on 2027-04-30)
    OAUTH = "oauth"  # an OAuth access token used as a bearer token
    CLIENT_CREDENTIALS = "client_credentials"  # tokens minted (and revoked) by the client itself
    PASSWORD = "password"  # legacy Basic email:password (removed by Zendesk for the API)


@dataclass(frozen=True)
class Scheme:
    """One credential scheme.

    ``variables`` are the settings it needs, in the order they are reported (and the order of the
    ``httpx.Auth`` constructor's arguments); ``secret_variable`` is the one whose value is the secret;
    ``curl`` is the credential part of a curl command, with shell-expanded placeholders; ``advice`` is
    what to check after a 401.
    """

    kind: AuthKind
    variables: tuple[str, ...]
    secret_variable: str
    curl: str
    advice: str


# Double quotes in the curl forms on purpose: the shell expands these variables (and only these) when the
# line is pasted.
SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        AuthKind.TOKEN,
        ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
        "ZENDESK_API_TOKEN",
        '-u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN"',
        "Check ZENDESK_EMAIL and ZENDESK_API_TOKEN: the token may be wrong, deactivated or deleted, or API "
        "token access may be off (Admin Center > Apps and integrations > APIs). API tokens stop working on "
        "2027-04-30; prefer OAuth (ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET).",
    ),
    Scheme(
        AuthKind.OAUTH,
        ("ZENDESK_OAUTH_TOKEN",),
        "ZENDESK_OAUTH_TOKEN",
        '-H "Authorization: Bearer $ZENDESK_OAUTH_TOKEN"',
        "The OAuth token in ZENDESK_OAUTH_TOKEN is expired, revoked or malformed. Create a new token, or use "
        "the client-credentials grant (ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET) so tokens are renewed.",
    ),
    Scheme(
        AuthKind.CLIENT_CREDENTIALS,
        ("ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET"),
        "ZENDESK_CLIENT_SECRET",
        '-H "Authorization: Bearer $ZENDESK_ACCESS_TOKEN"',
        "Check ZENDESK_CLIENT_ID (the OAuth client's identifier) and ZENDESK_CLIENT_SECRET, and that the "
        "client is confidential and allowed the client_credentials grant (Admin Center > Apps and "
        "integrations > APIs > OAuth clients).",
    ),
    Scheme(
        AuthKind.PASSWORD,
        ("ZENDESK_EMAIL", "ZENDESK_PASSWORD"),
        "ZENDESK_PASSWORD",
        '-u "$ZENDESK_EMAIL:$ZENDESK_PASSWORD"',
        "Zendesk removed password access for the API. Switch to OAuth (ZENDESK_OAUTH_TOKEN or "
        "ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET).",
    ),
)

_BY_KIND = {scheme.kind: scheme for scheme in SCHEMES}

#: Which kind an environment carries when several secrets are set and ZENDESK_AUTH is not: OAuth first.
PREFERENCE: tuple[AuthKind, ...] = (
    AuthKind.OAUTH,
    AuthKind.CLIENT_CREDENTIALS,
    AuthKind.TOKEN,
    AuthKind.PASSWORD,
)

#: Every variable that holds a credential's secret, in table order.
SECRET_VARIABLES: tuple[str, ...] = tuple(scheme.secret_variable for scheme in SCHEMES)


def scheme_of(kind: str) -> Scheme:
    """The scheme named ``kind`` (``ValueError`` for an unknown name)."""
    return _BY_KIND[AuthKind(kind)]


def kinds() -> tuple[str, ...]:
    """Every scheme's name, in table order (as ``ZENDESK_AUTH`` accepts them)."""
    return tuple(scheme.kind.value for scheme in SCHEMES)


__all__ = ["PREFERENCE", "SCHEMES", "SECRET_VARIABLES", "AuthKind", "Scheme", "kinds", "scheme_of"]
