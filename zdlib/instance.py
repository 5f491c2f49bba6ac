"""Whether an instance is the local sandbox: only when it proves it, never because its host is loopback.

The sandbox makes a random key at each start and its env carries it as `ZDLIB_SANDBOX_KEY`; asked
`GET /sandbox/identity?challenge=NONCE`, it answers the HMAC-SHA256 of the nonce under that key
(`zdlib/sandbox/identity.py`). A real instance, even behind a loopback tunnel or proxy, cannot: it follows
the real-instance rules (security re-test 2026-12-04 M5). The answer is kept per (URL, key) for the
process: a sandbox started again on the same port has a new key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import ssl
from collections.abc import Mapping
from functools import lru_cache

import httpx

from zdlib.config import read_settings

KEY_VARIABLE = "ZDLIB_SANDBOX_KEY"  # the sandbox's own name for it: zdlib.sandbox.identity.KEY_VARIABLE
IDENTITY_PATH = "/sandbox/identity"
CA_VARIABLE = "ZENDESK_CA_BUNDLE"  # a sandbox started with --tls has its own CA
TIMEOUT_S = 5.0


def sandbox_key(environ: Mapping[str, str] | None = None) -> str:
    """`ZDLIB_SANDBOX_KEY` from the environment (over the nearest `.env`), or ""."""
    return read_settings(KEY_VARIABLE, environ=environ).get(KEY_VARIABLE, "")


def is_sandbox(base_url: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """True only when the instance at `base_url` proves it holds this environment's sandbox key."""
    key = sandbox_key(environ)
    if not base_url or not key:
        return False
    ca = read_settings(CA_VARIABLE, environ=environ).get(CA_VARIABLE, "")
    return _proves(base_url.rstrip("/"), key, ca)


@lru_cache(maxsize=64)
def _proves(base_url: str, key: str, ca_file: str) -> bool:
    challenge = secrets.token_hex(16)
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
    try:
        answer = httpx.get(
            base_url + IDENTITY_PATH,
            params={"challenge": challenge},
            timeout=TIMEOUT_S,
            verify=verify,
            follow_redirects=False,
            trust_env=False,
        )
        given = answer.json().get("proof") if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError, OSError):
        return False
    expected = hmac.new(key.encode(), challenge.encode(), hashlib.sha256).hexdigest()
    return isinstance(given, str) and hmac.compare_digest(given, expected)


class RehearsalRefused(RuntimeError):
    """A rehearsal control was asked of an instance that has not proven it is the sandbox."""


def play_admin_center(
    base_url: str, kind: str, object_id: int, action: str, environ: Mapping[str, str] | None = None
) -> dict:
    """Rehearsal only: the sandbox plays the person's Admin Center step (`POST /sandbox/admin-center/KIND/ID`,
    zdlib/sandbox/README.md). Refused for any instance that does not prove it is this environment's sandbox,
    so a real Zendesk is never sent it."""
    if not is_sandbox(base_url, environ):
        raise RehearsalRefused(
            f"{base_url} has not proven it is the local sandbox: a person must do this step in Admin Center."
        )
    ca = read_settings(CA_VARIABLE, environ=environ).get(CA_VARIABLE, "")
    answer = httpx.post(
        f"{base_url.rstrip('/')}/sandbox/admin-center/{kind}/{int(object_id)}",
        json={"action": action},
        headers={"X-Sandbox-Key": sandbox_key(environ)},
        timeout=TIMEOUT_S,
        verify=ssl.create_default_context(cafile=ca) if ca else True,
        trust_env=False,
    )
    answer.raise_for_status()
    return answer.json()
