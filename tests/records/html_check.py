"""Parse an HTML record and list what would run script or load from the network (html.parser, not grep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset")
LOADING_ATTRIBUTES = ("src", "srcset", "poster", "data", "background")


@dataclass
class Findings:
    scripts: list[str] = field(default_factory=list)  # <script> elements (any type)
    handlers: list[str] = field(default_factory=list)  # on* attributes
    javascript_urls: list[str] = field(default_factory=list)  # javascript:/vbscript: in any URL attribute
    network_loads: list[str] = field(default_factory=list)  # src/srcset/<link href>/css url() off this file
    tags: list[str] = field(default_factory=list)
    title: str = ""

    @property
    def dangerous(self) -> list[str]:
        return self.scripts + self.handlers + self.javascript_urls


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Findings()
        self._in_title = False
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.tags.append(tag)
        if tag == "script":
            self.found.scripts.append(str(attrs))
        self._in_title, self._in_style = tag == "title", tag == "style"
        for name, value in attrs:
            value = (value or "").strip()
            lowered = "".join(value.lower().split())
            if name.startswith("on"):
                self.found.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and lowered.startswith(("javascript:", "vbscript:")):
                self.found.javascript_urls.append(f"<{tag} {name}={value!r}>")
            loads = name in LOADING_ATTRIBUTES or (tag == "link" and name == "href")
            if loads and value and not lowered.startswith("data:"):
                self.found.network_loads.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "url(" in lowered:
                self.found.network_loads.append(f"<{tag} style={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.found.title += data
        if self._in_style:
            for chunk in data.split("url(")[1:]:
                target = chunk.split(")")[0].strip("'\" ")
                if not target.startswith("data:"):
                    self.found.network_loads.append(f"css url({target})")
            if "@import" in data:
                self.found.network_loads.append("css @import")


def inspect_html(source: str | Path) -> Findings:
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.found
