"""Configured credentials: read from the environment and `.env` files, expanded into the forms a leak takes.

The runner reads these itself (python-dotenv) instead of using the client's config module: it must find
every credential that *might* reach a kernel, so it takes the union of all sources rather than the one
the client would choose.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from zdlib.instance import KEY_VARIABLE
from zdlib.redact import whole_token
from zdlib.schemes import SECRET_VARIABLES

CREDENTIAL_VARIABLES = (
    *SECRET_VARIABLES,  # every Zendesk credential scheme's secret (zdlib.schemes)
    "GITLAB_TOKEN",  # the approval source's token (zdlib.approval): never in a record either
    "ZDLIB_RECORDS_TOKEN",  # the records project's token (zdlib.runner.remote): never in a record either
    KEY_VARIABLE,  # the sandbox's key: whoever holds it drives the sandbox's control API
)
EMAIL_VARIABLE = "ZENDESK_EMAIL"
MIN_SECRET_LENGTH = 8  # shorter values are matched as whole tokens only (they would match ordinary words)


@dataclass(frozen=True)
class Secret:
    """One value that must never appear in a record; `label` names it without revealing it."""

    label: str
    value: str


def read_configured_values(
    env_files: Iterable[Path] = (), environ: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """Each source of settings as a dict: every existing env file, then the environment."""
    sources: list[dict[str, str]] = []
    for path in env_files:
        if path.is_file():
            sources.append({k: v for k, v in dotenv_values(path).items() if v})
    sources.append(dict(os.environ if environ is None else environ))
    return sources


def configured_secrets(sources: Iterable[Mapping[str, str]]) -> list[Secret]:
    """Every credential in every source, with its base64 and `email/token:` / `email:password` forms."""
    secrets: list[Secret] = []
    for source in sources:
        email = source.get(EMAIL_VARIABLE, "")
        for name in CREDENTIAL_VARIABLES:
            value = source.get(name, "")
            if not value:
                continue
            secrets.extend(secret_forms(name, value))
            if email and name == "ZENDESK_API_TOKEN":
                secrets.extend(secret_forms(f"{EMAIL_VARIABLE}/token:{name}", f"{email}/token:{value}"))
            if email and name == "ZENDESK_PASSWORD":
                secrets.extend(secret_forms(f"{EMAIL_VARIABLE}:{name}", f"{email}:{value}"))
    return dedupe(secrets)


def secret_forms(label: str, value: str) -> list[Secret]:
    """The raw value and its base64 form, whatever follows it.

    base64 turns each 3 bytes into 4 characters, so the encoding of the value's longest 3-byte-aligned
    prefix is a prefix of the encoding of the value followed by anything: one pattern catches `base64`
    of the bare value, of `echo VALUE | base64` (trailing newline) and of padded or unpadded output.
    A value shorter than MIN_SECRET_LENGTH has no base64 form here: a few base64 characters would match
    ordinary text; it is still scanned itself, as a whole token (`occurs_in`).
    """
    if len(value) < MIN_SECRET_LENGTH:
        return [Secret(label, value)]
    raw = value.encode()
    aligned = raw[: len(raw) - len(raw) % 3]
    return [Secret(label, value), Secret(f"{label} (base64)", base64.b64encode(aligned).decode())]


def dedupe(secrets: Iterable[Secret]) -> list[Secret]:
    """Drop repeats and empty values (short values are kept: `occurs_in` matches them as whole tokens)."""
    seen: set[str] = set()
    kept: list[Secret] = []
    for secret in secrets:
        if secret.value.strip() and secret.value not in seen:
            seen.add(secret.value)
            kept.append(secret)
    return kept


def occurs_in(value: str, text: str) -> bool:
    """True when `text` holds `value`: anywhere if it is long, as a whole token if it is short
    (`pw1` is found in `password pw1.` but not in `spw12`)."""
    if value not in text:
        return False
    if len(value) >= MIN_SECRET_LENGTH:
        return True
    return whole_token(value).search(text) is not None
