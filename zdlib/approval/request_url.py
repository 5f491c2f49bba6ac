"""`access_request_url`: one strict https URL of a GitLab issue, normalized once and used everywhere after.

Checked on the raw string before any parsing, because `urllib.parse.urlsplit` silently drops TAB, CR and
LF (so `…/1<TAB>https://…/2` would read as one URL) - security review 2026-12-02 B14/B15, issue 9 item 6.
The form is GitLab's issue URL, `https://gitlab.com/<group>/<project>/-/issues/<iid>`
(zendesk-2026-12-updates.md 4.2 item 1).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from zdlib.approval.errors import ApprovalInputError

MAX_URL = 500
# A GitLab namespace or project path segment (letters, digits, `_`, `-`, `.`; not only dots).
SEGMENT = re.compile(r"^(?!\.+$)[A-Za-z0-9_.-]+$")
HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EXAMPLE = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4242"


@dataclass(frozen=True)
class IssueRef:
    """A GitLab issue named by its URL."""

    host: str
    project: str  # `group/subgroup/project`
    iid: int

    @property
    def url(self) -> str:
        return f"https://{self.host}/{self.project}/-/issues/{self.iid}"


def _bad(reason: str) -> ApprovalInputError:
    return ApprovalInputError(
        f"access_request_url {reason}: give the access-request issue's URL as GitLab shows it, "
        f"e.g. {EXAMPLE}."
    )


def parse_request_url(raw: object) -> IssueRef:
    """The issue an access_request_url names; raises ApprovalInputError saying what is wrong."""
    if not isinstance(raw, str) or not raw:
        raise _bad("is missing")
    if len(raw) > MAX_URL:
        raise _bad(f"is {len(raw)} characters long (at most {MAX_URL})")
    odd = next((c for c in raw if c.isspace() or unicodedata.category(c)[0] in "CZ"), None)
    if odd is not None:
        raise _bad(f"holds a space or control character ({unicodedata.name(odd, hex(ord(odd)))}) at "
                   f"position {raw.index(odd) + 1} (one URL, nothing before or after it)")  # fmt: skip
    if not raw.isascii():
        raise _bad("holds non-ASCII characters")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise _bad(f"is not a URL ({exc})") from None
    if parts.scheme != "https":
        raise _bad(f"must start with https:// (not {parts.scheme or 'no scheme'}://)")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise _bad("must not hold a user name or password (the part before @)")
    host = (parts.hostname or "").lower()
    if not HOST.match(host):
        raise _bad(f"has no real host name ({host or 'none'!r}: a GitLab host such as gitlab.com)")
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise _bad("must not hold a query or fragment (?… or #…)")
    segments = parts.path.split("/")[1:]
    if len(segments) < 5 or segments[-3:-1] != ["-", "issues"]:
        raise _bad("is not a GitLab issue URL (…/<group>/<project>/-/issues/<number>)")
    project_segments, iid = segments[:-3], segments[-1]
    if not all(SEGMENT.match(s) for s in project_segments):
        raise _bad(f"has an invalid group or project path ({'/'.join(project_segments)!r})")
    if not iid.isdigit() or iid.startswith("0") or len(iid) > 12:
        raise _bad(f"must end with the issue number, not {iid!r}")
    shown_host = host if port in (None, 443) else f"{host}:{port}"
    return IssueRef(shown_host, "/".join(project_segments), int(iid))


def normalize_request_url(raw: object) -> str:
    """The URL in its one normal form (`https://<host>/<project path>/-/issues/<iid>`)."""
    return parse_request_url(raw).url
