"""The secret scan: no file leaves the private run folder while it holds a credential or run secret."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zdlib.runner.credentials import Secret, dedupe, secret_forms


@dataclass(frozen=True)
class Hit:
    """A file that holds a secret; `label` names the secret, never its value."""

    path: Path
    label: str


def run_secrets(secrets_file: Path) -> list[Secret]:
    """The secrets the kit created during the run: one JSON line `{"label", "value"}` each.

    A line that is not such JSON is taken whole as a value: better a spurious failure than a leak.
    """
    if not secrets_file.is_file():
        return []
    found: list[Secret] = []
    for number, line in enumerate(secrets_file.read_text(encoding="utf-8", errors="replace").splitlines()):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            label, value = str(item.get("label") or f"run secret {number + 1}"), str(item["value"])
        except (ValueError, KeyError, TypeError, AttributeError):
            label, value = f"run secret {number + 1}", line.strip()
        found.extend(secret_forms(f"run secret {label!r}", value))
    return dedupe(found)


def scan_files(paths: Iterable[Path], secrets: Iterable[Secret]) -> list[Hit]:
    """Every (file, secret) pair where the file holds the secret in any readable form."""
    secrets = list(secrets)
    hits: list[Hit] = []
    for path in paths:
        texts = list(searchable_texts(path))
        for secret in secrets:
            if any(needle in text for needle in _needles(secret.value) for text in texts):
                hits.append(Hit(path, secret.label))
    return hits


def scan_data(value: Any, secrets: Iterable[Secret]) -> list[str]:
    """The labels of the secrets found in decoded JSON data (e.g. an index line before it is written)."""
    texts = list(_strings(value))
    return [s.label for s in secrets if any(needle in text for needle in _needles(s.value) for text in texts)]


def _needles(value: str) -> set[str]:
    """The value as written in JSON and in HTML, besides itself."""
    escaped = json.dumps(value)[1:-1]
    return {value, escaped, html.escape(value), html.escape(escaped), html.escape(value, quote=False)}


def searchable_texts(path: Path) -> Iterator[str]:
    """The file as stored, its decoded strings (JSON unescaped, HTML entities resolved), and that text
    without whitespace, so a base64 form wrapped over lines (`base64` wraps at 76) is still found."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    yield raw
    decoded = raw
    if path.suffix in (".ipynb", ".json"):
        try:
            decoded = "\n".join(_strings(json.loads(raw)))
        except ValueError:
            decoded = raw
    elif path.suffix in (".html", ".htm"):
        decoded = html.unescape(raw)
    yield decoded
    yield re.sub(r"\s+", "", decoded)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        # nbformat stores multi-line text as a list of lines: join them back
        if all(isinstance(item, str) for item in value):
            yield "".join(value)
        else:
            for item in value:
                yield from _strings(item)
