"""Search over the user directory: the query, its matches, and counts that never stall the server.

The query syntax is Zendesk's search reference ("Search operators": `role:`, `email:`, `name:`,
`is_suspended:`, `type:`, `*` wildcards); `search/count` "works the same as a regular search" (OAS
`ticketing-2026-05.yaml`, CountSearchResults). Role and suspension counts are arithmetic over the
generated account (no scan); anything else is scanned in slices of `SCAN_SLICE` users, yielding to the
event loop between slices, so a 1,000,000-user scan leaves concurrent requests answered in milliseconds.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import islice

from zdlib.sandbox.users import ROLES, UserDirectory

TERMS = ("role", "email", "name", "type", "is_suspended", "organization_id")
SCAN_SLICE = 200  # users generated and matched between two yields to the event loop (a few ms)


def _like(value: str, pattern: str) -> bool:
    """Zendesk search's wildcard `*` (its search reference, "Search operators": `*` matches any
    characters, e.g. `email:*@example.com`); without one, `name:` is a partial match."""
    value, pattern = value.lower(), pattern.lower()
    if "*" not in pattern:
        return pattern in value
    return fnmatchcase(value, pattern) or any(fnmatchcase(word, pattern) for word in value.split())


@dataclass(frozen=True)
class UserQuery:
    """A parsed search string: `key:value` terms Zendesk knows, and free words."""

    terms: dict[str, str] = field(default_factory=dict)
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: str) -> UserQuery:
        terms: dict[str, str] = {}
        words: list[str] = []
        try:
            parts = shlex.split(query)
        except ValueError:
            parts = query.split()
        for part in parts:
            key, sep, value = part.partition(":")
            if sep and key in TERMS:
                terms[key] = value
            else:
                words.append(part.lower().replace("*", ""))
        return cls(terms, tuple(words))

    @property
    def role(self) -> str | None:
        return self.terms.get("role")

    @property
    def finds_nothing(self) -> bool:
        """A role Zendesk has not, or a type other than users (the sandbox holds no tickets)."""
        kind = self.terms.get("type", "user")
        return (self.role is not None and self.role not in ROLES) or kind != "user"

    @property
    def is_role_only(self) -> bool:
        return set(self.terms) <= {"role", "type"} and not self.words

    def matches(self, user: dict) -> bool:
        terms = self.terms
        if self.role is not None and user["role"] != self.role:
            return False
        email = terms.get("email")
        if email is not None and "*" in email and not fnmatchcase(user["email"], email.lower()):
            return False
        if email is not None and "*" not in email and user["email"] != email.lower():
            return False
        if "name" in terms and not _like(user["name"], terms["name"]):
            return False
        if "is_suspended" in terms and user["suspended"] != (terms["is_suspended"] == "true"):
            return False
        if "organization_id" in terms and str(user.get("organization_id")) != terms["organization_id"]:
            return False
        haystack = f"{user['name']} {user['email']}".lower()
        return all(w in haystack for w in self.words)

    def quick_count(self, directory: UserDirectory) -> int | None:
        """The count without a scan when the query is only about role and suspension, else None."""
        if self.finds_nothing:
            return 0
        if self.is_role_only:
            return directory.count_role(self.role)
        if set(self.terms) <= {"type", "is_suspended"} and not self.words:
            return directory.count_suspended(self.terms["is_suspended"] == "true")
        return None

    def candidates(self, directory: UserDirectory, after: int | None = None) -> Iterator[dict]:
        """The users worth testing, in id order (after the id `after`, if given): one by email, else
        those of the role (or all)."""
        email = self.terms.get("email")
        if email is not None and "*" not in email:
            found = directory.by_email(email)
            return iter([found] if found and (after is None or found["id"] > after) else [])
        return (directory.get(i) for i in directory.ids(self.role, after=after))  # type: ignore[misc]


Gone = Callable[[], Awaitable[bool]]  # has the client hung up? (Starlette's `Request.is_disconnected`)


async def _never_gone() -> bool:
    return False


async def _matching_slices(query: UserQuery, users: Iterable[dict], gone: Gone) -> AsyncIterator[list[dict]]:
    """The matches of each slice of `SCAN_SLICE` users, with a yield to the event loop after each; a
    scan stops when its client has hung up (nobody would read the answer)."""
    iterator = iter(users)
    while True:
        batch = list(islice(iterator, SCAN_SLICE))
        yield [u for u in batch if query.matches(u)]
        if len(batch) < SCAN_SLICE or await gone():
            return
        await asyncio.sleep(0)


async def select(query: UserQuery, directory: UserDirectory, gone: Gone = _never_gone) -> list[dict]:
    """The users that match, in id order (for a search page: at most 1,000 are ever shown)."""
    slices = _matching_slices(query, query.candidates(directory), gone)
    return [u async for batch in slices for u in batch]


async def count(query: UserQuery, directory: UserDirectory, gone: Gone = _never_gone) -> int:
    """How many users match: arithmetic for role and suspension, a yielding scan otherwise."""
    quick = query.quick_count(directory)
    if quick is not None:
        return quick
    slices = _matching_slices(query, query.candidates(directory), gone)
    return sum([len(batch) async for batch in slices])


async def first(
    query: UserQuery, directory: UserDirectory, limit: int, after: int | None = None, gone: Gone = _never_gone
) -> list[dict]:
    """The first `limit` matches after the id `after`, in id order: the scan yields between slices as
    `select`'s does, and stops at the slice where it has `limit` matches."""
    found: list[dict] = []
    if query.finds_nothing:
        return found
    async with aclosing(_matching_slices(query, query.candidates(directory, after), gone)) as slices:
        async for batch in slices:
            found.extend(batch)
            if len(found) >= limit:
                break
    return found[:limit]
