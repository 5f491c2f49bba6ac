"""Keep secrets out of logs, reprs and error messages: fingerprints, the secret registry, redaction.

The registry is process-wide: whoever obtains or creates a secret (a client-credentials token, a new
OAuth client secret, a token in a grant's answer) calls ``register_secret`` the moment it exists. Every
redaction below then hides it in any form it takes in text (raw, URL-encoded, JSON- or HTML-escaped,
inside a base64 ``user:secret`` Basic credential), and listeners (the runbook kit) pass it on to
whoever must prove a record is free of it (the runner's scan).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import html
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

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
        "api_key",
        "apikey",
    }
)

#: Headers whose values are never logged.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

#: Words that make a header (or header-like field) name a credential: `X-Api-Key`, `X-Auth-Token`.
CREDENTIAL_HEADER_WORDS = frozenset(
    {"authorization", "auth", "token", "secret", "password", "key", "apikey", "cookie", "signature"}
)

#: Secrets shorter than this are matched only as whole tokens, never inside longer words.
MIN_SUBSTRING_LENGTH = 8
#: Values shorter than this are not redacted from text at all: they would erase ordinary words (`t`,
#: `abc`). No real credential is this short; the runner's scan still looks for them as whole tokens.
MIN_REDACTED_LENGTH = 4


def fingerprint(secret: str | bytes) -> str:
    """A short, stable, non-reversible name for a secret: ``sha256:`` + 12 hex characters."""
    data = secret.encode() if isinstance(secret, str) else secret
    return "sha256:" + hashlib.sha256(data).hexdigest()[:12]


SECRET_SUFFIXES = ("_secret", "_password", "_token", "_api_key", "_private_key")


def is_secret_field(name: str) -> bool:
    """A field whose value is a secret: a known name, or one ending like `webhook_secret`, `bearer_token`."""
    lower = name.lower()
    return lower in SECRET_FIELDS or lower.endswith(SECRET_SUFFIXES)


def is_credential_header(name: str) -> bool:
    """A header name that carries a credential: `Authorization`, `X-Api-Key`, `X-Auth-Token`, `Cookie`."""
    words = {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}
    return name.lower() in SECRET_HEADERS or bool(words & CREDENTIAL_HEADER_WORDS)


def is_secret_path(path: tuple[str, ...]) -> bool:
    """A scalar at this place in decoded JSON is a secret.

    A secret-named field (``secret``, ``api_key``, ``*_token``); anything under ``authentication.data``
    (a webhook's credential: Zendesk's Webhooks API, "authentication" object, ``data`` holds the
    ``token``, the ``username``/``password`` or the API key ``name``/``value``); and the value of a
    header named like a credential in a ``headers``/``custom_headers`` object.
    """
    if not path:
        return False
    lowered = tuple(part.lower() for part in path)
    if is_secret_field(lowered[-1]):
        return True
    for index in range(len(lowered) - 1):
        if lowered[index] == "authentication" and lowered[index + 1] == "data":
            return True
    return (
        len(lowered) >= 2
        and lowered[-2] in ("headers", "custom_headers")
        and is_credential_header(lowered[-1])
    )


def credential_field_in(data: Any, holds: Callable[[str], bool] = bool) -> str | None:
    """The dotted path of the first credential-bearing field with a value in decoded JSON, or None.

    ``holds(text)`` decides whether a value can carry a secret at all (the runner lets flags through).
    """
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                here = (*path, str(key))
                if isinstance(value, Mapping | list):
                    stack.append((here, value))
                elif value not in (None, "", False) and is_secret_path(here) and holds(str(value)):
                    return ".".join(here)
        elif isinstance(item, list):
            stack.extend((path, value) for value in item)
    return None


# -- the registry ---------------------------------------------------------------------------------

#: ``listener(label, value)``: told about every secret registered in this process (and those before).
SecretListener = Callable[[str, str], None]

_lock = threading.RLock()
_registered: dict[str, str] = {}  # value -> label
_listeners: list[SecretListener] = []
_log = logging.getLogger("zdlib")


def register_secret(label: str, value: Any) -> bool:
    """Remember ``value`` as a secret of this process and tell every listener; True if it was new.

    Call it the moment a secret exists (before it is used or shown). Empty values are ignored.
    """
    if not isinstance(value, str) or not value.strip():
        return False
    with _lock:
        if value in _registered:
            return False
        _registered[value] = label
        for listener in list(_listeners):
            try:
                listener(label, value)
            except Exception as exc:  # a listener must never stop a secret from being redacted
                _log.warning(
                    "a secret listener failed (%s); the secret is still redacted", type(exc).__name__
                )
    return True


def add_secret_listener(listener: SecretListener) -> None:
    """Subscribe ``listener``; it is told at once about every secret registered so far."""
    with _lock:
        if listener in _listeners:
            return
        _listeners.append(listener)
        for value, label in list(_registered.items()):
            with contextlib.suppress(Exception):
                listener(label, value)


def remove_secret_listener(listener: SecretListener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def registered_secrets() -> dict[str, str]:
    """``{label: value}`` of every registered secret (for scanners; never print it)."""
    with _lock:
        return {label: value for value, label in _registered.items()}


def forget_registered_secrets() -> None:
    """Empty the registry (tests only; listeners stay subscribed)."""
    with _lock:
        _registered.clear()


#: Fields of a request or answer body whose string values are secrets born or sent in this process.
BIRTH_FIELDS = frozenset({"secret", "client_secret", "full_token", "access_token", "refresh_token", "token"})


def register_secret_fields(data: Any, origin: str) -> int:
    """Register every secret in decoded JSON (a write's answer, a request body); returns how many.

    A ``token`` beside a ``full_token`` is only the first characters Zendesk shows in listings: skipped.
    """
    found = 0
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                key = str(key)
                if key == "token" and "full_token" in item:
                    continue
                here = (*path, key)
                if isinstance(value, str):
                    if (key.lower() in BIRTH_FIELDS or is_secret_path(here)) and register_secret(
                        f"{'.'.join(here)} of {origin}", value
                    ):
                        found += 1
                elif isinstance(value, Mapping | list):
                    stack.append((here, value))
        elif isinstance(item, list):
            stack.extend((path, value) for value in item)
    return found


# -- redaction ------------------------------------------------------------------------------------

#: An HTTP credential written out: `Bearer <token>`, `Basic <base64>` (also URL-encoded as `Bearer%20`).
_SCHEME = re.compile(r"\b(Bearer|Basic)(\s+|%20|\+)([A-Za-z0-9+/=._~%-]{8,})", re.IGNORECASE)
#: A run of base64 (or base64url) characters long enough to hold a secret.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")


def _forms(secret: str) -> set[str]:
    """How a secret appears in text besides itself: URL-encoded, JSON-escaped, HTML-escaped."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, quote(secret, safe=""), quote_plus(secret), escaped, html.escape(secret)} - {""}


#: Secrets at least this long are also found when a server or a wrapper breaks them over lines or spaces.
MIN_SPLIT_LENGTH = 16


@functools.lru_cache(maxsize=256)
def _split_form(secret: str) -> re.Pattern[str]:
    """`secret` with any whitespace (a line wrap, `\\n` in escaped text) between its characters."""
    gap = r"(?:\s|\\[nrt])*"
    return re.compile(gap.join(re.escape(char) for char in secret))


def whole_token(value: str) -> re.Pattern[str]:
    """`value` as a whole token: not inside a longer run of letters and digits (for short secrets)."""
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])")


def _decoded(run: str) -> str:
    """A base64/base64url run decoded as text, or '' when it is not base64."""
    padded = run.rstrip("=")
    padded += "=" * (-len(padded) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        with contextlib.suppress(binascii.Error, ValueError):
            return decode(padded).decode("utf-8", errors="ignore")
    return ""


def _all_secrets(extra: Iterable[str | None]) -> list[str]:
    with _lock:
        values = set(_registered)
    values.update(value for value in extra if isinstance(value, str))
    return sorted((v for v in values if len(v.strip()) >= MIN_REDACTED_LENGTH), key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every registered secret and every one of ``secrets`` replaced, in every form.

    Raw, URL-encoded and JSON/HTML-escaped values; base64 runs (``Basic`` credentials such as
    ``email/token:TOKEN`` or ``user:secret``) that decode to text holding a secret; and any
    ``Bearer``/``Basic`` credential, known or not. Secrets under 8 characters match whole tokens only.
    """
    if not text:
        return text
    known = _all_secrets(secrets)
    for secret in known:
        for form in _forms(secret):
            if len(form) >= MIN_SUBSTRING_LENGTH:
                if form in text:
                    text = text.replace(form, REDACTED)
            elif form in text:
                text = whole_token(form).sub(REDACTED, text)
        if len(secret) >= MIN_SPLIT_LENGTH:
            # before the `Bearer x` rule below, which would cut a wrapped token and leave its tail
            text = _split_form(secret).sub(REDACTED, text)
    if known:

        def hide_encoded(match: re.Match[str]) -> str:
            decoded = _decoded(match.group(0))
            return REDACTED if decoded and any(s in decoded for s in known) else match.group(0)

        text = _BASE64_RUN.sub(hide_encoded, text)
    return _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def redact_data(value: Any, _path: tuple[str, ...] = ()) -> Any:
    """Return a copy of decoded JSON with every secret removed, at any depth.

    Secret fields (see ``is_secret_path``) are replaced whole; every other string has registered
    secrets and HTTP credentials removed (``redact_text``). A field named ``api_token`` that holds an
    object (Zendesk's wrapper key) is walked, not hidden.
    """
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            here = (*_path, str(key))
            if not isinstance(item, Mapping | list) and is_secret_path(here):
                out[key] = REDACTED if item not in (None, "") else item
            else:
                out[key] = redact_data(item, here)
        return out
    if isinstance(value, list):
        return [redact_data(item, _path) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_form(body: str) -> str:
    """Redact secret fields in an ``application/x-www-form-urlencoded`` body."""
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(k, REDACTED if is_secret_field(k) else v) for k, v in pairs])


def redact_body(
    content: bytes, content_type: str | None, secrets: Iterable[str | None] = (), limit: int = 4000
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
    """Headers as a dict for logging, with credentials and cookies hidden (others redacted as text)."""
    return {k: (REDACTED if is_credential_header(k) else redact_text(v)) for k, v in headers}


def redact_url(url: str) -> str:
    """A URL safe to print: no user-info, and secret query parameters hidden."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_field(k) for k, _ in pairs):
            query = urlencode([(k, REDACTED if is_secret_field(k) else v) for k, v in pairs])
    return redact_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


class RedactingFilter(logging.Filter):
    """A logging filter that removes every registered secret and HTTP credential from a record's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_filter(logger: logging.Logger) -> None:
    """Add one ``RedactingFilter`` to ``logger`` (idempotent)."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
