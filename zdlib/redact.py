"""Keep secrets out of logs, reprs and error messages: fingerprints and redaction helpers."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"

#: Body fields and query parameters whose values are never logged (compared case-insensitively).
SECRET_FIELDS = frozenset(
    {
        "token",
        "full_token",
        "secret",
        "client_secret",
        "password",
        "access_token",
        "refresh_token",
        "api_token",
        "authorization",
    }
)

#: Headers whose values are never logged.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def fingerprint(secret: str | bytes) -> str:
    """A short, stable, non-reversible name for a secret: ``sha256:`` + 12 hex characters."""
    data = secret.encode() if isinstance(secret, str) else secret
    return "sha256:" + hashlib.sha256(data).hexdigest()[:12]


SECRET_SUFFIXES = ("_secret", "_password", "_token", "_api_key", "_private_key")


def is_secret_field(name: str) -> bool:
    """A field whose value is a secret: a known name, or one ending like `webhook_secret`, `bearer_token`."""
    lower = name.lower()
    return lower in SECRET_FIELDS or lower in ("api_key", "apikey") or lower.endswith(SECRET_SUFFIXES)


def redact_data(value: Any) -> Any:
    """Return a copy of decoded JSON with every secret field replaced, at any depth.

    A field named ``api_token`` that holds an object (Zendesk's wrapper key) is walked, not hidden.
    """
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and is_secret_field(key) and not isinstance(item, Mapping | list):
                out[key] = REDACTED if item not in (None, "") else item
            else:
                out[key] = redact_data(item)
        return out
    if isinstance(value, list):
        return [redact_data(item) for item in value]
    return value


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of a known secret value in free text."""
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_form(body: str) -> str:
    """Redact secret fields in an ``application/x-www-form-urlencoded`` body."""
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs])


def redact_body(
    content: bytes, content_type: str | None, secrets: Iterable[str] = (), limit: int = 4000
) -> str:
    """Render a request or response body for a DEBUG log line with secrets removed."""
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    kind = (content_type or "").lower()
    if "json" in kind or text[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            text = json.dumps(redact_data(json.loads(text)), ensure_ascii=False)
    elif "x-www-form-urlencoded" in kind:
        text = redact_form(text)
    text = redact_text(text, secrets)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict for logging, with credentials and cookies hidden."""
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers}


def redact_url(url: str) -> str:
    """A URL safe to print: no user-info, and secret query parameters hidden."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_FIELDS for k, _ in pairs):
            query = urlencode([(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
