"""Values into Markdown, safely: every value is escaped, only the kit's own templates are markup.

`md("Automation {id}: {title}", id=12345, title=automation["title"])` escapes each value so that a title
such as `<img src=x onerror=alert(1)>` or `[x](javascript:...)` is shown as the text it is, never run.
Format specs: `{value:code}` an inline code span, `{value:url}` a link (http/https only, else text),
`{value:raw}` markup the kit built itself with `md()`; any other spec is Python's (`{count:,}`).
"""

from __future__ import annotations

import html
import re
import string
from typing import Any
from urllib.parse import urlsplit

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start markup.
_ESCAPED = re.compile(r"([\\`*_\[\]#+!|~$])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_CONTROLS = re.compile(
    r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\x85]"
)  # not line breaks: `code` turns those to spaces
_LIST_START = re.compile(r"^(\s*)(\d+)([.)])")
_HTML_OUTSIDE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)|(<)", re.DOTALL)
_TAGS = re.compile(r"(<[^>]*>)")
_LONG_WORD = re.compile(r"[^\s<>]{30,}")
_BREAK_AFTER = re.compile(r"([/?=_.-])(?=[^\s])")
_PLACEHOLDER_IN_CODE = re.compile(r"(?<!`)(`+)(?!`)[^`]*?(?<!\{)\{[A-Za-z_][^{}]*\}(?!\})[^`]*?(?<!`)\1(?!`)")


class Markdown(str):
    """Markdown the kit built itself (its template plus escaped values): shown as it is."""

    __slots__ = ()


def escape(value: Any) -> Markdown:
    """A value as inline Markdown text: no markup, no HTML, no line breaks (they become spaces)."""
    text = _BREAKS.sub(" ", "" if value is None else str(value))
    text = "".join(_ENTITIES.get(char, char) for char in text)
    text = _ESCAPED.sub(r"\\\1", text)
    text = _LIST_START.sub(r"\1\2\\\3", text)
    text = text.replace("://", "\\://")  # no bare-URL autolink from a value: links come only from link()
    if text[:1] in ("-", "="):
        text = "\\" + text
    return Markdown(text)


def code(value: Any) -> Markdown:
    """A value as an inline code span, whatever backticks it holds (CommonMark: a longer fence)."""
    text = _BREAKS.sub(" ", "" if value is None else str(value))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


def inert(value: Any, limit: int | None = None) -> Markdown:
    """A value as inert Markdown in a GitLab note: a code span (`code`: no markup, HTML, link, `#123`
    reference or line break, so no `/close` quick action at a line start), with `@` kept from mentioning
    anyone (a zero-width space after it); cut to `limit` characters (`...` at the end) when given."""
    text = _CONTROLS.sub(" ", "" if value is None else str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    return code(text.replace("@", "@\u200b"))


def code_block(text: Any, language: str = "") -> Markdown:
    """A fenced code block around `text`, with a fence no line of `text` can close."""
    body = "" if text is None else str(text)
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markdown(f"{fence}{re.sub(r'[^A-Za-z0-9_+-]', '', language)}\n{body}\n{fence}")


def link(value: Any) -> Markdown:
    """An http(s) URL as a link whose text is the full URL; anything else as escaped text."""
    text = "" if value is None else str(value).strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"[\s<>\"'`\\]", text):
        return Markdown(f"<{text}>")
    return escape(value)


def md(template: str, /, **values: Any) -> Markdown:
    """`template` (the kit's or a notebook's literal Markdown) with every value escaped."""
    if values and _PLACEHOLDER_IN_CODE.search(template):
        raise ValueError(f"a placeholder inside backticks in {template!r}: write {{name:code}} instead")
    return Markdown(_FORMATTER.format(neutralize_html(template), **values))


def neutralize_html(text: str) -> str:
    """Markdown with raw HTML shown as text (`<` outside code spans becomes `&lt;`); markup stays.

    Code spans are found as CommonMark does (maximal backtick runs of equal length), so text that only
    looks like a code span to a careless reader cannot smuggle a tag past this.
    """
    if isinstance(text, Markdown):
        return text

    def replace(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) else _ENTITIES[match.group(3)]

    return _HTML_OUTSIDE_CODE.sub(replace, str(text))


def bullets(items: Any) -> Markdown:
    """Plain-text items (problems, findings) as an escaped Markdown list."""
    return Markdown("\n".join(md("- {item}", item=item) for item in items))


def lines(text: str) -> Markdown:
    """Plain text of several lines as escaped Markdown; lines starting `- ` stay list items."""
    rows = []
    for line in str(text).splitlines():
        stripped = line.strip()
        is_item = stripped.startswith(("- ", "* "))
        rows.append(md("- {item}", item=stripped[2:]) if is_item else md("{line}", line=stripped))
    return Markdown("\n".join(rows))


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "code":
            return code(value)
        if format_spec == "url":
            return link(value)
        if format_spec == "raw":
            if not isinstance(value, Markdown):
                raise TypeError("{...:raw} takes only Markdown built by the kit (md(), escape(), code())")
            return value
        if isinstance(value, Markdown) and not format_spec:
            return value
        return escape(format(value, format_spec))


_FORMATTER = _Formatter()

_CODE_OR_AUTOLINK = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)|<(https?://[^\s<>]+)>", re.DOTALL)
_BACKSLASH = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """Kit-built Markdown as plain text for a terminal: code spans and links bare, `**` gone, escapes and
    entities resolved (`md("{path}", path="A > B")` -> `A > B`)."""

    def prose(segment: str) -> str:
        return html.unescape(_BACKSLASH.sub(r"\1", segment.replace("**", "")))

    out, end = [], 0
    for match in _CODE_OR_AUTOLINK.finditer(text):
        out.append(prose(text[end : match.start()]))
        out.append(match.group(3) or match.group(2).strip(" "))
        end = match.end()
    out.append(prose(text[end:]))
    return "".join(out)


__all__ = [
    "Markdown",
    "bullets",
    "code",
    "code_block",
    "escape",
    "inert",
    "lines",
    "link",
    "md",
    "neutralize_html",
    "plain",
    "soft_breaks",
]


def soft_breaks(html: str) -> str:
    """HTML with `<wbr>` after `/ ? = _ . -` inside long words (URLs, paths), so they wrap there."""

    def in_text(segment: str) -> str:
        return _LONG_WORD.sub(lambda m: _BREAK_AFTER.sub(r"\1<wbr>", m.group(0)), segment)

    return "".join(part if part.startswith("<") else in_text(part) for part in _TAGS.split(html))
