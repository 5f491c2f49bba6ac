"""Deterministic, random-looking secrets derived from the seed (so tests can look for leaks)."""

from __future__ import annotations

import hashlib
import string

_ALPHABET = string.ascii_letters + string.digits


def derive(seed: int, label: str, length: int = 40) -> str:
    """A `length`-character alphanumeric secret that depends only on `seed` and `label`."""
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"zdlib-sandbox:{seed}:{label}:{counter}".encode()).digest()
        out.extend(_ALPHABET[b % len(_ALPHABET)] for b in digest)
        counter += 1
    return "".join(out[:length])
