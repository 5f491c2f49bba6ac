"""Helpers for the sandbox tests: authenticated httpx clients and the official schemas."""

from __future__ import annotations

import base64
import json
import ssl
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema

from zdlib.sandbox import seed as S
from zdlib.sandbox.server import SandboxServer

SCHEMAS_FILE = Path(__file__).parent / "data" / "zendesk_oas_schemas.json"

# Fields the official document types as non-null but Zendesk sends as null for some records
# (never-expiring or unused OAuth tokens, users who never signed in, end users without a default
# group). The conformance tests allow null for exactly these, nothing else.
NULL_IN_PRACTICE = {
    "OauthTokenObject": ("expires_at", "used_at", "refresh_token", "refresh_token_expires_at"),
    "UserForAdmin": ("last_login_at", "default_group_id"),
}
EXTRA_FIELDS = {  # present on real responses though not in the schema's property list
    "AutomationObject": {"url"},
    "OauthTokenObject": {"full_token"},
    "UserForAdmin": {"authenticity_token"},
}


def basic(login: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{login}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def token_auth(sb: SandboxServer, email: str | None = None, token: str | None = None) -> dict[str, str]:
    return basic(f"{email or sb.env['ZENDESK_EMAIL']}/token", token or sb.env["ZENDESK_API_TOKEN"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def control_key(sb: SandboxServer) -> dict[str, str]:
    """The header the control API (`/sandbox/...`) asks for: the key this sandbox made at its start."""
    return {"X-Sandbox-Key": sb.env["ZDLIB_SANDBOX_KEY"]}


def client(sb: SandboxServer, headers: dict[str, str] | None = None) -> httpx.Client:
    """An httpx client for the sandbox, authenticated as the seeded admin's API token by default."""
    verify = ssl.create_default_context(cafile=sb.ca_file) if sb.ca_file else True
    return httpx.Client(
        base_url=sb.url,
        headers=headers if headers is not None else token_auth(sb),
        verify=verify,
        timeout=10,
    )


def oauth_value(sb: SandboxServer, token_id: int) -> str:
    return S.oauth_token_value(sb.options.seed, token_id)


@cache
def _document() -> dict[str, Any]:
    doc = json.loads(SCHEMAS_FILE.read_text())
    schemas = doc["components"]["schemas"]
    for name, props in NULL_IN_PRACTICE.items():
        for prop in props:
            spec = schemas[name]["properties"][prop]
            spec["type"] = [spec["type"], "null"] if isinstance(spec["type"], str) else spec["type"]
    return doc


def validate(instance: Any, schema_name: str) -> None:
    """Validate against a schema of Zendesk's official document (raises on mismatch)."""
    doc = _document()
    root = {"components": doc["components"], "allOf": [{"$ref": f"#/components/schemas/{schema_name}"}]}
    jsonschema.Draft7Validator(root).validate(instance)


def assert_documented_fields(obj: dict, schema_name: str) -> None:
    """Every field we send is one the official schema lists (or a known real-world extra)."""
    props = set(_document()["components"]["schemas"][schema_name]["properties"])
    unknown = set(obj) - props - EXTRA_FIELDS.get(schema_name, set())
    assert not unknown, f"{schema_name}: undocumented fields {sorted(unknown)}"
