"""The secret scan: no record is published while it holds a credential or run secret; found ones are
redacted in place (replaced by their fingerprint)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zdlib.redact import fingerprint, whole_token
from zdlib.runner.credentials import MIN_SECRET_LENGTH, Secret, dedupe, occurs_in, secret_forms


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
            if any(occurs_in(needle, text) for needle in _needles(secret.value) for text in texts):
                hits.append(Hit(path, secret.label))
    return hits


def scan_data(value: Any, secrets: Iterable[Secret]) -> list[str]:
    """The labels of the secrets found in decoded JSON data (e.g. an index line before it is written)."""
    texts = list(_strings(value))
    return [
        s.label
        for s in secrets
        if any(occurs_in(needle, text) for needle in _needles(s.value) for text in texts)
    ]


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


# -- redaction in place ------------------------------------------------------------------------------
def redaction_marker(secret: Secret) -> str:
    """What replaces a secret in a record: its label and fingerprint (safe inside JSON and HTML)."""
    label = re.sub(r"[^A-Za-z0-9 _:/().'-]", "", secret.label)
    return f"[secret redacted: {label} {fingerprint(secret.value)}]"


def redact_file(path: Path, secrets: Iterable[Secret]) -> list[str]:
    """Replace every secret this file holds by its marker; returns the labels that were found.

    Plain replacement covers the forms as written (raw, JSON- and HTML-escaped). A form that only shows
    once whitespace or line lists are joined (base64 wrapped over lines) is removed with what holds it:
    the notebook output or cell source, or the whole content of another file.
    """
    secrets = _held(path, secrets)
    if not secrets:
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    for secret in secrets:
        marker = redaction_marker(secret)
        text = _replace_all(text, secret.value, marker)
    path.write_text(text, encoding="utf-8")
    left = _held(path, secrets)
    if left and path.suffix == ".ipynb":
        _drop_holding_parts(path, left)
        left = _held(path, left)
    if left:
        path.write_text(
            "This file was emptied: it held " + ", ".join(redaction_marker(s) for s in left) + "\n",
            encoding="utf-8",
        )
    return [s.label for s in secrets]


def _replace_all(text: str, value: str, marker: str) -> str:
    """Every written form of `value` replaced (a short value only as a whole token, as `occurs_in`)."""
    for needle in sorted(_needles(value), key=len, reverse=True):
        if len(needle) >= MIN_SECRET_LENGTH:
            text = text.replace(needle, marker)
        else:
            text = whole_token(needle).sub(marker, text)
    return text


def _held(path: Path, secrets: Iterable[Secret]) -> list[Secret]:
    """The secrets the file holds in any searchable form (the file is read and parsed once)."""
    texts = list(searchable_texts(path))
    return [s for s in secrets if any(occurs_in(n, text) for n in _needles(s.value) for text in texts)]


def _drop_holding_parts(path: Path, secrets: list[Secret]) -> None:
    """Replace the outputs and sources of a notebook that hold a secret in a wrapped form."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return

    def holds(value: Any) -> list[Secret]:
        texts = list(_strings(value))
        texts += [re.sub(r"\s+", "", t) for t in texts]
        return [s for s in secrets if any(occurs_in(n, t) for n in _needles(s.value) for t in texts)]

    for cell in nb.get("cells", []):
        found = holds(cell.get("source", ""))
        if found:
            cell["source"] = "# source removed: " + ", ".join(redaction_marker(s) for s in found)
        outputs = cell.get("outputs") or []
        for number, output in enumerate(outputs):
            found = holds(output)
            if found:
                outputs[number] = {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": "output removed: " + ", ".join(redaction_marker(s) for s in found) + "\n",
                }
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def replace_secrets(value: Any, secrets: Iterable[Secret]) -> Any:
    """A copy of decoded JSON data with every secret in its strings replaced by its marker."""
    secrets = list(secrets)
    if isinstance(value, str):
        for secret in secrets:
            value = _replace_all(value, secret.value, redaction_marker(secret))
        return value
    if isinstance(value, dict):
        return {replace_secrets(k, secrets): replace_secrets(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_secrets(item, secrets) for item in value]
    return value
