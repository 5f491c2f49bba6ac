"""Where a run delivered a credential: the kit states it in the summary's facts, the runner shows it.

One line a delivery, the same in the terminal and in the record's banner: what was handed over, to where,
who it acts as, its scopes and when it expires (absolute, UTC). Never the secret: a record holds the
destination and fingerprints only. A secret that nobody receives (revoke_token regenerates an OAuth
client's secret to cut it off) is stated as delivered to nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

FACT = "deliveries"  # the summary's `facts[FACT]`: a list of `Delivery.as_fact()`
NOBODY = "nobody"


@dataclass(frozen=True)
class Delivery:
    """One hand-off, as a record may show it."""

    what: str  # e.g. "access token 1234 of OAuth client 56"
    to: str  # "file", "1password" or NOBODY
    location: str = ""  # the file's absolute path or the 1Password item; "" for NOBODY
    acts_as: str = ""  # e.g. "Alan Agent <alan.agent@example.com> (user 1234, role agent)"
    scopes: list[str] = field(default_factory=list)
    expires_at: str = ""  # UTC ISO 8601 (`2026-12-05T19:32:10Z`); "" when it never expires
    note: str = ""  # e.g. "a rehearsal: the sandbox's hand-off folder" or why nobody receives it

    def as_fact(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """`access token 1234 -> file /home/x/f.json; acts as ...; scopes read; expires ... (UTC)`."""
        return "; ".join(self.parts())

    def parts(self) -> list[str]:
        """The line's parts: where it went first, then who it acts as, scopes, expiry and a note."""
        if self.to == NOBODY:
            head = f"{self.what} -> nobody"
        else:
            head = f"{self.what} -> {self.to} {self.location}".rstrip()
        parts = [head]
        if self.acts_as:
            parts.append(f"acts as {self.acts_as}")
        if self.scopes:
            parts.append(f"scopes {' '.join(self.scopes)}")
        if self.to != NOBODY and self.what:
            parts.append(f"expires {self.expires_at} (UTC)" if self.expires_at else "never expires")
        if self.note:
            parts.append(self.note)
        return parts


def deliveries(summary: Mapping[str, Any] | None) -> list[Delivery]:
    """The deliveries a summary states (none for an old record or a run that handed nothing over)."""
    facts = (summary or {}).get("facts") or {}
    found = facts.get(FACT) if isinstance(facts, Mapping) else None
    out = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, Mapping):
            known = {k: item[k] for k in Delivery.__dataclass_fields__ if k in item}
            out.append(Delivery(**{"what": "", "to": "", **known}))
    return out
