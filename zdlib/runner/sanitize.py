"""Defence in depth for HTML records: everything a notebook produced goes through nh3 (ammonia).

The kit already escapes values in Markdown; this pass removes whatever still got through: no script,
no event handler, no `javascript:` (or any non-http) link, and nothing loaded from the network (images
only as `data:` URIs, no styles, no frames, no forms).
"""

from __future__ import annotations

import nh3

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "samp",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "u", "ul", "wbr",
    }
)  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Links go to http(s), mailto or an anchor; images come only from `data:image/` URIs."""
    text = value.strip().lower()
    if attribute == "src":
        return value if tag == "img" and text.startswith("data:image/") else None
    if attribute == "href":
        if text.startswith(("http://", "https://", "mailto:", "#")):
            return value
        return None
    return value


def clean_html(fragment: str) -> str:
    """`fragment` with only the allowed tags and attributes (content of script/style removed)."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "svg", "math"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )
