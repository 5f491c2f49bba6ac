"""OAuth scope names Zendesk recognises, and its habit of dropping the others without an error.

Source: Zendesk's OpenAPI document `ticketing-2026-05.yaml`, operation CreateOAuthToken, "Available scopes"
and "Resources that can be scoped"; and CreateTokenForGrantType, "Restrictions and limitations": "The
endpoint can return an access token even if you specify an invalid scope". CSA's csa-zendesk
(`auth/_flow.py`, see zendesk-2026-12-updates.md section 1.1 #8) observed the token "silently narrowed to
whatever it did recognise".
"""

from __future__ import annotations

from collections.abc import Iterable

BROAD = frozenset({"read", "write", "impersonate"})
RESOURCE_ACCESS = {
    "tickets": ("read", "write"),
    "users": ("read", "write"),
    "auditlogs": ("read",),
    "organizations": ("read", "write"),
    "hc": ("read", "write"),
    "apps": ("read", "write"),
    "triggers": ("read", "write"),
    "automations": ("read", "write"),
    "targets": ("read", "write"),
    "webhooks": ("read", "write"),
    "macros": ("read", "write"),
    "requests": ("read", "write"),
    "satisfaction_ratings": ("read", "write"),
    "dynamic_content": ("read", "write"),
    "any_channel": ("write",),
    "web_widget": ("write",),
    "security": ("read",),
}
UNRESTRICTED = "unrestricted"  # "unrestricted (read and write)"


def is_known(scope: str) -> bool:
    if scope in BROAD or scope == UNRESTRICTED:
        return True
    resource, _, access = scope.partition(":")
    return access in RESOURCE_ACCESS.get(resource, ())


def recognised(scopes: Iterable[str]) -> list[str]:
    """The requested scopes Zendesk would grant, in order, without duplicates; the rest are dropped."""
    kept: list[str] = []
    for scope in scopes:
        if is_known(scope) and scope not in kept:
            kept.append(scope)
    return kept
