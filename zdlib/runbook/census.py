"""A one-pass census of users: counts, login ages and flagged rows, in bounded memory."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from zdlib.redact import redact_text

if TYPE_CHECKING:
    from zdlib.client import Client

USER_COLUMNS = [
    "id", "name", "email", "role", "role_type", "active", "suspended", "verified",
    "last_login_at", "created_at", "organization_id",
]  # fmt: skip
AGE_BUCKETS = [(7, "< 7 days"), (30, "7-30 days"), (90, "30-90 days"), (365, "90-365 days")]
NEVER, OLDER = "never", "> 365 days"
ROLE_ORDER = ("end-user", "light agent", "agent", "admin")


#: A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection": "=", "+",
#: "-", "@", tab and carriage return), e.g. a user named `=HYPERLINK("https://evil.example","x")`.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that would start a formula gets a leading `'`
    (OWASP's advice), so it shows as written and never runs; also after leading spaces, which some
    spreadsheets skip before a formula. Numbers, booleans and None pass as they are."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def role_label(user: dict[str, Any]) -> str:
    """end-user, agent, light agent or admin."""
    role = user.get("role") or "unknown"
    return "light agent" if role == "agent" and user.get("role_type") == 1 else role


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@dataclass
class UserCensus:
    """Counts and a bounded set of rows worth a reviewer's attention."""

    inactive_days: int = 90
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    keep_rows: int = 1000
    csv_stream: IO[str] | None = None
    total: int = 0
    roles: Counter = field(default_factory=Counter)
    login_ages: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    sample: list[dict] = field(default_factory=list)
    admins: list[dict] = field(default_factory=list)
    suspended: list[dict] = field(default_factory=list)
    stale_staff: list[dict] = field(default_factory=list)
    _writer: Any = None

    def add(self, user: dict[str, Any]) -> None:
        """Count one user; keep the row only if it is flagged (up to `keep_rows` per flag)."""
        row = {c: user.get(c) for c in USER_COLUMNS}
        self.total += 1
        role = role_label(user)
        self.roles[role] += 1
        age_days = self._login_age_days(row["last_login_at"])
        self.login_ages[self._bucket(age_days)] += 1
        staff = row["role"] in ("admin", "agent")
        if len(self.sample) < 20:
            self.sample.append(row)
        if row["role"] == "admin":
            self._keep(self.admins, row)
        if row["suspended"]:
            self.flags["suspended"] += 1
            self._keep(self.suspended, row)
        if not row["verified"]:
            self.flags["unverified"] += 1
        if age_days is None:
            self.flags["never logged in"] += 1
        elif age_days >= self.inactive_days:
            self.flags[f"no login for {self.inactive_days}+ days"] += 1
        if staff and (age_days is None or age_days >= self.inactive_days):
            self.flags["staff without recent login"] += 1
            self._keep(self.stale_staff, row)
        if self.csv_stream is not None:
            if self._writer is None:
                self._writer = csv.DictWriter(self.csv_stream, fieldnames=USER_COLUMNS)
                self._writer.writeheader()
            self._writer.writerow({column: csv_cell(value) for column, value in row.items()})

    def _keep(self, rows: list[dict], row: dict) -> None:
        if len(rows) < self.keep_rows:
            rows.append(row)

    def _login_age_days(self, stamp: str | None) -> int | None:
        moment = _parse(stamp)
        return None if moment is None else max(0, (self.now - moment).days)

    @staticmethod
    def _bucket(age_days: int | None) -> str:
        if age_days is None:
            return NEVER
        for limit, label in AGE_BUCKETS:
            if age_days < limit:
                return label
        return OLDER

    def counts(self) -> pd.DataFrame:
        """The headline numbers as a two-column table."""
        rows = [("users", self.total)]
        rows += [(f"role: {k}", v) for k, v in sorted(self.roles.items())]
        rows += [(k, v) for k, v in sorted(self.flags.items())]
        return pd.DataFrame(rows, columns=["measure", "count"])

    def role_series(self) -> pd.Series:
        """Users per role, from end-users to admins (then any other role Zendesk reports)."""
        order = [*ROLE_ORDER, *sorted(set(self.roles) - set(ROLE_ORDER))]
        return pd.Series({role: self.roles.get(role, 0) for role in order})

    def login_age_series(self) -> pd.Series:
        """Users per last-login age bucket, in age order."""
        order = [label for _, label in AGE_BUCKETS] + [OLDER, NEVER]
        return pd.Series({label: self.login_ages.get(label, 0) for label in order})


ROLES = ("end-user", "agent", "admin")
SEARCH_LIMIT = 1000


def search_cap_note(users: Any) -> str | None:
    """What a search stopped at Zendesk's 1,000-result limit left out, or None if nothing was left out."""
    if not getattr(users, "truncated", False):
        return None
    matched = getattr(users, "count", None)
    how_many = f"matches {matched:,} users" if isinstance(matched, int) else "matches more users"
    return (
        f"This search {how_many}, but Zendesk's search returns at most {SEARCH_LIMIT:,} results: only the "
        f"first {SEARCH_LIMIT:,} were inspected. Narrow the query, or leave `query` empty and use `role` "
        "to list every user of a role."
    )


def check_role(role: str) -> None:
    """Refuse a role Zendesk does not have, before any request."""
    if role and role not in ROLES:
        raise ValueError(
            f"role={role!r} is not a Zendesk role: use one of {', '.join(ROLES)}, or leave it empty."
        )


def list_users(client: Client, *, query: str = "", role: str = "") -> tuple[Any, int | None]:
    """The users to inspect and how many to expect: a search, or a cursor listing of one role."""
    check_role(role)
    if query.strip():
        return search_users(client, query.strip())
    return client.users.iterate(role=role or None), client.users.count(role=role or None)


def search_users(client: Client, query: str) -> tuple[Any, int]:
    """A search's users, none left out: `users/search` up to Zendesk's 1,000-result cap; beyond it the
    search export (OAS ExportSearchResults: every match, cursor pages of up to 1,000, the type given apart
    from the query, a cursor that "expires after one hour"). One `search/count` request decides."""
    plain = TYPE_USER.sub(" ", query).strip()
    matched = client.search.count(f"type:user {plain}")
    if matched <= SEARCH_LIMIT:
        return client.users.search(query), matched
    return client.search.export(plain, type="user"), matched


def export_note(matched: int) -> str:
    """What the record says when a search is read through the export."""
    return (
        f"This search matches {matched:,} users, more than Zendesk's search returns ({SEARCH_LIMIT:,}): they "
        f"are read through the search export, {SEARCH_LIMIT:,} a request (its cursor lasts an hour)."
    )


TYPE_USER = re.compile(r"(?<!\S)type:user(?!\S)", re.IGNORECASE)


def check_resume(detail: Detail, resume_cursor: str, query: str, role: str) -> None:
    """A resume cursor belongs to the everyone export only; refused otherwise, before any request."""
    if resume_cursor.strip() and (detail is not Detail.EVERYONE or query.strip() or role):
        raise ValueError(
            "resume_cursor continues the incremental export of everyone: use it with detail='everyone' and "
            "no query or role (the cursor is in the stopped run's record), or leave it empty."
        )


def resume_hint(cursor: str | None) -> str:
    """How to continue an everyone export stopped while it read the page at `cursor` (None: the first page
    of a fresh export, so there is nothing to resume from)."""
    if not cursor:
        return "it had not finished its first page: run it again from the start (no resume_cursor)"
    return (
        f"resume with resume_cursor={cursor} and detail='everyone' (the users of that page may be read again)"
    )


def export_stopped(cursor: str | None, why: str) -> str:
    """The record's reason for an everyone export stopped by `why` (an error, an interruption)."""
    return f"The export of everyone stopped ({redact_text(why)}); {resume_hint(cursor)}."


class Detail(StrEnum):
    """What the census reads beyond its counts, at what cost (migration-research.md section 2.3)."""

    COUNTS = "counts"  # no rows: the count endpoints only (census_counts.count_census)
    STAFF = "staff"  # admins and agents by `role[]`: staff / 100 cursor pages
    EVERYONE = "everyone"  # the incremental user export: users / 1,000 pages at 10 a minute

    @classmethod
    def parse(cls, given: str) -> Detail:
        try:
            return cls(given.strip())
        except ValueError:
            names = ", ".join(repr(d.value) for d in cls)
            raise ValueError(
                f"detail={given!r} is not one of {names}: pick one, or leave the default."
            ) from None


STAFF_ROLES = ("admin", "agent")


def rows_to_read(
    client: Client, detail: Detail, expected: dict[str, int], resume_cursor: str = ""
) -> tuple[Any, int | None]:
    """The users whose rows `detail` asks for and how many to expect (`expected`: counts by measure),
    or (None, None) for counts only; the everyone export starts from `resume_cursor` when given."""
    if detail is Detail.STAFF:
        staff = sum(expected.get(f"role: {r}", 0) for r in STAFF_ROLES)
        return client.users.iterate(roles=STAFF_ROLES), staff
    if detail is Detail.EVERYONE:
        return client.users.export(start_time=0, cursor=resume_cursor.strip() or None), expected.get("users")
    return None, None
