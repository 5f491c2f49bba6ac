"""Refuse parameters that look like credentials: papermill writes every parameter into the record.

Three checks, each explained where it is defined:
- names whose last word is about a secret (`api_token`, `client_secret`, `password`), unless the name
  ends in a word that describes the secret rather than holding it (`token_id`, `secret_url`, `approved_by`)
  or the value is a flag or number (`create_secret=True`);
- values that carry an HTTP credential (`Bearer ...`, `Basic ...`, `.../token:...`) or contain a
  configured credential, whole or a substantial part of it (`holds_part_of`), whitespace ignored;
- values that look like a generated token (long, random-looking strings).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from zdlib.redact import credential_field_in
from zdlib.runner.credentials import CREDENTIAL_VARIABLES, MIN_SECRET_LENGTH, Secret, occurs_in

# Words that name a secret when they end a parameter name.
SECRET_WORDS = frozenset(
    {
        "token",
        "tokens",
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "pwd",
        "passphrase",
        "credential",
        "credentials",
        "apikey",
        "authorization",
        "bearer",
        "cookie",
    }
)
# `key` is only a secret after these words (`api_key`, `private_key`), not in `sort_key`.
KEY_QUALIFIERS = frozenset({"api", "private", "secret", "access", "signing", "client"})
# A last word that describes a secret without holding it: `token_id`, `secret_url`, `password_reset_by`.
DESCRIPTIVE_WORDS = frozenset(
    {
        "id",
        "ids",
        "url",
        "urls",
        "email",
        "by",
        "name",
        "names",
        "description",
        "label",
        "count",
        "days",
        "age",
        "kind",
        "type",
        "fingerprint",
        "length",
        "at",
        "file",
        "path",
        "scope",
        "scopes",
        "expiry",
        "expires",
        "ttl",
        "policy",
        "enabled",
        "rotation",
        "status",
    }
)
CREDENTIAL_PREFIX = re.compile(r"^\s*(bearer|basic)\s+\S", re.IGNORECASE)
TOKEN_PAIR = re.compile(r"/token:\S", re.IGNORECASE)
# A token-like value: one run of base64/base64url/hex characters, nothing else.
TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9+/=_\-.~]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
MIN_TOKEN_LENGTH = 20
MIN_ENTROPY_BITS = 3.5
MIN_HEX_TOKEN_LENGTH = 32
MIN_HEX_ENTROPY_BITS = 3.0  # 16 symbols at most: a random 40-digit hex string scores about 3.6
MIN_CLASS_SWITCH_RATE = 0.3
#: A run of this many characters of a configured secret is that secret, leaked in part (16 random
#: characters carry 80+ bits; no ordinary value shares them by chance). Shorter secrets match whole.
PART_CHARS = 16
WHITESPACE = re.compile(r"\s+")


def name_words(name: str) -> list[str]:
    """`clientSecret` and `client_secret` both give ['client', 'secret']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word]


def secret_looking_name(name: str) -> bool:
    """True when the name's last word names a secret (see the module docstring for the exceptions)."""
    words = name_words(name)
    if not words or words[-1] in DESCRIPTIVE_WORDS:
        return False
    last = words[-1]
    if last in SECRET_WORDS:
        return True
    return last == "key" and len(words) > 1 and words[-2] in KEY_QUALIFIERS


def looks_like_generated_token(value: str) -> bool:
    """A long single-run string whose characters look random rather than written by a person.

    Zendesk API tokens are 40 alphanumerics, OAuth tokens 64 hex digits, client secrets 64 base64
    characters. Ids, names, emails, URLs, paths and UUIDs are not tokens. A candidate has at least 20
    characters from the base64/hex alphabet, letters and digits, and either both letter cases or only
    hex digits; it must also have a high Shannon entropy (>= 3.5 bits per character) and
    switch often between character classes (lower, upper, digit, symbol) - written identifiers such as
    `Automation2026Cleanup` switch rarely, random strings on most characters. Hex strings of 32+
    digits only need an entropy of 3.0 bits (16 symbols; digits and letters alternate less often).
    Known gap: a random token without a single digit (about 1 in 1000 for 40 characters) passes;
    the digit rule keeps long CamelCase names from being flagged.
    """
    text = value.strip()
    if len(text) < MIN_TOKEN_LENGTH or not TOKEN_CHARACTERS.match(text) or UUID.match(text):
        return False
    if text.startswith(("/", "./", "../", "~")) or "@" in text:
        return False
    has_lower, has_upper = any(c.islower() for c in text), any(c.isupper() for c in text)
    has_digit = any(c.isdigit() for c in text)
    is_hex = re.fullmatch(r"[0-9a-fA-F]+", text) is not None
    if not (has_digit and (has_lower or has_upper)) or not ((has_lower and has_upper) or is_hex):
        return False
    if is_hex and len(text) >= MIN_HEX_TOKEN_LENGTH:  # no person writes 32+ hex digits: entropy suffices
        return shannon_entropy(text) >= MIN_HEX_ENTROPY_BITS
    return shannon_entropy(text) >= MIN_ENTROPY_BITS and class_switch_rate(text) >= MIN_CLASS_SWITCH_RATE


def shannon_entropy(text: str) -> float:
    """Bits per character of the string's own character distribution."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def class_switch_rate(text: str) -> float:
    """Share of neighbouring characters that belong to different classes."""

    def kind(c: str) -> str:
        return "l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "s"

    switches = sum(kind(a) != kind(b) for a, b in itertools.pairwise(text))
    return switches / (len(text) - 1)


def string_values(value: Any) -> Iterator[str]:
    """Every string inside a parameter value (lists and dicts included; dict keys are not values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from string_values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from string_values(item)


PLAIN_LITERAL = re.compile(r"^\s*(true|false|none|yes|no|on|off|[-+]?\d+(\.\d+)?)\s*$", re.IGNORECASE)


def can_hold_secret(text: str) -> bool:
    """A flag or a number cannot carry a credential: `create_secret=True` is a switch, not a secret."""
    return not PLAIN_LITERAL.match(text)


def credential_problems(
    parameters: Mapping[str, Any], secrets: Iterable[Secret], positions: Iterable[str] = ()
) -> list[str]:
    """One message per parameter that looks like (or holds) a credential; never repeats the value.

    `positions`: parameters the notebook declares as a place in a listing that Zendesk made (an export's
    cursor: random-looking by design, and no credential). Only the random-looking test is skipped for them:
    a configured credential, an Authorization value or an `email/token:` pair there is still refused.
    """
    secrets, positions = list(secrets), set(positions)
    problems: list[str] = []
    for name, value in parameters.items():
        if secret_looking_name(name) and any(can_hold_secret(text) for text in string_values(value)):
            problems.append(f"parameter {name!r}: the name looks like a credential")
            continue
        field = secret_field_in(value) if isinstance(value, Mapping | list) else None
        if field:
            problems.append(f"parameter {name!r}: the value holds the credential field {field!r}")
            continue
        for text in string_values(value):
            reason = _value_problem(text, secrets, random_looking=name not in positions)
            if reason:
                problems.append(f"parameter {name!r}: the value {reason}")
                break
    return problems


def _json_secret_field(text: str) -> str | None:
    """Where a secret field with a value sits inside JSON text (e.g. an api_request body), if anywhere."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return secret_field_in(data)


def secret_field_in(data: Any) -> str | None:
    """The dotted path of the first credential-bearing field with a value in decoded data, or None.

    A secret-named field (`password`, `api_key`, `*_token`), anything under `authentication.data` (a
    webhook's credential) and a header named like a credential (`headers.X-Api-Key`); flags and numbers
    (`create_secret=True`) pass. See `zdlib.redact.is_secret_path`.
    """
    return credential_field_in(data, can_hold_secret)


def _value_problem(text: str, secrets: list[Secret], *, random_looking: bool = True) -> str | None:
    field = _json_secret_field(text)
    if field:
        return f"is JSON with a value in the secret field {field!r}"
    if CREDENTIAL_PREFIX.match(text):
        return "is an HTTP Authorization credential (Bearer/Basic)"
    if TOKEN_PAIR.search(text):
        return "holds an 'email/token:' credential pair"
    for secret in secrets:
        if occurs_in(secret.value, text):
            return f"contains the configured credential {secret.label}"
        # parts of the raw value only: a derived form also holds the (public) email address
        if secret.label in CREDENTIAL_VARIABLES and holds_part_of(secret.value, text):
            return f"contains part of the configured credential {secret.label}"
    if random_looking and looks_like_generated_token(text):
        return "looks like a generated token (long random-looking string)"
    return None


def holds_part_of(secret: str, text: str) -> bool:
    """True when `text`, with whitespace removed (a secret split over lines or by spaces), holds the
    whole secret (when it is at least MIN_SECRET_LENGTH long) or any PART_CHARS-long run of it (when the
    secret is longer than that: its first 20 characters, say, out of 40)."""
    compact = WHITESPACE.sub("", text)
    if len(secret) >= MIN_SECRET_LENGTH and secret in compact:
        return True
    if len(secret) <= PART_CHARS or len(compact) < PART_CHARS:
        return False
    runs = {secret[i : i + PART_CHARS] for i in range(len(secret) - PART_CHARS + 1)}
    return any(compact[i : i + PART_CHARS] in runs for i in range(len(compact) - PART_CHARS + 1))
