"""Users as a pure function of (seed, index), with an overlay for the few that were changed.

Memory grows only with the number of changed users, not with `--users`. Ids ascend with the index,
and so do the generated `updated_at` stamps, which keeps id order and export order cheap.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from zdlib.sandbox import render
from zdlib.sandbox import seed as S
from zdlib.sandbox.clock import iso
from zdlib.sandbox.count_refresh import CountSnapshots
from zdlib.sandbox.custom_roles import ROLES_BY_TYPE, role_id_for

FIRST_NAMES = (
    "Alex",
    "Blair",
    "Casey",
    "Dana",
    "Eli",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lior",
    "Mina",
    "Noor",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Vik",
    "Wen",
    "Yara",
)
LAST_NAMES = (
    "Abe",
    "Berg",
    "Chen",
    "Diaz",
    "Engel",
    "Fox",
    "Garcia",
    "Haas",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Singh",
    "Tanaka",
    "Ueda",
    "Vogel",
    "Weber",
    "Young",
    "Zhou",
)
GENERATED_DOMAIN = "example.com"
_GENERATED_EMAIL = re.compile(r"^[a-z]+\.[a-z]+\.(\d+)@example\.com$")
ROLES = ("admin", "agent", "end-user")
_TIMES_OF_DAY = [f"T{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}Z" for s in range(86_400)]


class UserDirectory:
    """All users of the account: generated on demand, overlaid with changes."""

    def __init__(self, seed: int, count: int, anchor: datetime) -> None:
        self.seed = seed
        self.count = max(count, S.MIN_USERS)
        self.anchor = anchor
        self.overlay: dict[int, dict] = {}
        self._cache: dict[int, dict] = {}
        self._json: dict[tuple[int, str], bytes] = {}  # bounded cache of rendered users per base URL
        self._last_id = S.USER_ID_BASE + self.count - 1
        self.counts = CountSnapshots()  # users/count above 100,000: refreshed daily
        self._created_base = int((anchor - timedelta(days=30, minutes=self.count)).timestamp())
        self._days: dict[int, str] = {}  # "YYYY-MM-DD" by epoch day: stamps without strftime (hot path)
        self._logins = [iso(anchor - timedelta(days=d, hours=3)) for d in range(20)]
        self._templates = UserTemplates(self)

    # ---- identity helpers -------------------------------------------------------------------
    def exists(self, user_id: int) -> bool:
        return S.USER_ID_BASE <= user_id <= self._last_id

    def get(self, user_id: int) -> dict | None:
        """The user's current record (shared dict: copy before changing it)."""
        if not self.exists(user_id):
            return None
        changed = self.overlay.get(user_id)
        if changed is not None:
            return changed
        cached = self._cache.get(user_id)
        if cached is None:
            if len(self._cache) > 5_000:
                self._cache.clear()
            cached = self._cache[user_id] = self._generate(user_id - S.USER_ID_BASE)
        return cached

    def by_email(self, email: str) -> dict | None:
        email = email.strip().lower()
        for user in self.overlay.values():
            if user["email"] == email:
                return user
        if email.endswith("@" + S.EMAIL_DOMAIN):
            for index, special in enumerate(S.SPECIAL_USERS):
                if f"{special[3]}@{S.EMAIL_DOMAIN}" == email:
                    return self.get(S.USER_ID_BASE + index)
            return None
        match = _GENERATED_EMAIL.match(email)
        if match:
            user = self.get(S.USER_ID_BASE + int(match.group(1)))
            if user is not None and user["email"] == email:
                return user
        return None

    def update(self, user_id: int, changes: dict, now: datetime) -> dict:
        user = dict(self.get(user_id) or {})
        user.update(changes)
        user["updated_at"] = iso(now)
        self.overlay[user_id] = user
        self._cache.pop(user_id, None)
        for key in [k for k in self._json if k[0] == user_id]:
            del self._json[key]
        return user

    def json_of(self, user_id: int, base: str) -> bytes:
        """The user as Zendesk's JSON (agent view) for a given base URL, cached (pages: `json_array_of`)."""
        key = (user_id, base)
        data = self._json.get(key)
        if data is None:
            if len(self._json) > 20_000:
                self._json.clear()
            index = user_id - S.USER_ID_BASE
            if index >= S.MIN_USERS and user_id not in self.overlay:
                data = self._json[key] = self._templates.render(index, base)
            else:
                data = self._json[key] = _dumps(render.user(self.get(user_id), base))  # type: ignore[arg-type]
        return data

    def json_array_of(self, user_ids: Iterable[int], base: str) -> bytes:
        """The users as the inside of a JSON array (`json_of`s joined by commas): the generated ones
        rendered together from their templates (cheaper than caching them), the others through
        `json_of`. The listing's hot path."""
        first_generated, last_id, overlay = S.USER_ID_BASE + S.MIN_USERS, self._last_id, self.overlay
        user_ids = list(user_ids)
        if not user_ids:
            return b""
        if not overlay and first_generated <= min(user_ids) and max(user_ids) <= last_id:  # the usual page
            return self._templates.render_many([i - S.USER_ID_BASE for i in user_ids], base)
        parts: list[bytes] = []
        run: list[int] = []  # indices of consecutive generated users not yet rendered
        for user_id in user_ids:
            if first_generated <= user_id <= last_id and user_id not in overlay:
                run.append(user_id - S.USER_ID_BASE)
                continue
            if run:
                parts.append(self._templates.render_many(run, base))
                run = []
            parts.append(self.json_of(user_id, base))
        if run:
            parts.append(self._templates.render_many(run, base))
        return b",".join(parts)

    # ---- listing ------------------------------------------------------------------------------
    def ids(
        self,
        role: str | None = None,
        after: int | None = None,
        before: int | None = None,
        reverse: bool = False,
    ) -> Iterator[int]:
        """User ids in id order (or reversed), strictly between `after` and `before`, optionally by role."""
        lo = S.USER_ID_BASE if after is None else max(after + 1, S.USER_ID_BASE)
        hi = self._last_id + 1 if before is None else min(before, self._last_id + 1)
        if lo >= hi:
            return iter(())
        if role is None:  # every user: a range, read directly (the listing's hot path)
            return iter(range(hi - 1, lo - 1, -1) if reverse else range(lo, hi))
        return self._role_ids(role, lo, hi, reverse)

    def _role_ids(self, role: str, lo: int, hi: int, reverse: bool) -> Iterator[int]:
        base = self._base_role_ids(role, lo, hi, reverse)
        changed = sorted((i for i in self.overlay if lo <= i < hi), reverse=reverse)
        seen_last = None
        for user_id in heapq.merge(base, changed, reverse=reverse):
            if user_id == seen_last:
                continue
            seen_last = user_id
            if self.get(user_id)["role"] == role:  # type: ignore[index]
                yield user_id

    def count_role(self, role: str | None) -> int:
        if role is None:
            return self.count
        total = self._base_role_count(role)
        for user_id, user in self.overlay.items():
            base = self._base_role(user_id - S.USER_ID_BASE)
            total += (user["role"] == role) - (base == role)
        return total

    def count_custom_role(self, role_id: int) -> int:
        """Users holding custom role `role_id` (CountUsers' `permission_set`), without a scan."""
        by_type = {rid: role_type for role_type, (rid, _, _) in ROLES_BY_TYPE.items()}
        if role_id not in by_type:
            return self._count_where(0, lambda u: u.get("custom_role_id") == role_id)
        special = sum(1 for u in S.SPECIAL_USERS if u[0] == "agent" and u[1] == by_type[role_id])
        light = _multiples(S.LIGHT_AGENT_EVERY, S.MIN_USERS, self.count)
        agents = _multiples(S.AGENT_EVERY, S.MIN_USERS, self.count)
        generated = light if by_type[role_id] == 1 else agents - light
        return self._count_where(special + generated, lambda u: u.get("custom_role_id") == role_id)

    def count_suspended(self, suspended: bool = True) -> int:
        """Users whose `suspended` is `suspended`, without a scan (generated: end users, every 97th)."""
        special = sum(1 for u in S.SPECIAL_USERS if u[4])
        both = S.SUSPENDED_EVERY * S.AGENT_EVERY  # coprime: an index that is also an agent's
        generated = _multiples(S.SUSPENDED_EVERY, S.MIN_USERS, self.count) - _multiples(
            both, S.MIN_USERS, self.count
        )
        found = self._count_where(special + generated, lambda u: bool(u["suspended"]))
        return found if suspended else self.count - found

    def _count_where(self, generated: int, holds: Callable[[dict], bool]) -> int:
        """`generated` (the count among generated users) corrected for the changed users."""
        return generated + sum(
            holds(user) - holds(self._generate(user_id - S.USER_ID_BASE))
            for user_id, user in self.overlay.items()
        )

    def scan(self) -> Iterator[dict]:
        for user_id in range(S.USER_ID_BASE, self._last_id + 1):
            yield self.get(user_id)  # type: ignore[misc]

    # ---- the generator ------------------------------------------------------------------------
    def _base_role(self, index: int) -> str:
        if index < S.MIN_USERS:
            return S.SPECIAL_USERS[index][0]
        return "agent" if index % S.AGENT_EVERY == 0 else "end-user"

    def _base_role_count(self, role: str) -> int:
        special = sum(1 for u in S.SPECIAL_USERS if u[0] == role)
        generated = self.count - S.MIN_USERS
        agents = len(range(self._first_generated_agent(), self.count, S.AGENT_EVERY))
        if role == "agent":
            return special + agents
        if role == "end-user":
            return special + generated - agents
        return special

    def _first_generated_agent(self) -> int:
        return -(-S.MIN_USERS // S.AGENT_EVERY) * S.AGENT_EVERY

    def _base_role_ids(self, role: str | None, lo: int, hi: int, reverse: bool) -> Iterable[int]:
        if role is None or role == "end-user":
            return range(hi - 1, lo - 1, -1) if reverse else range(lo, hi)
        specials = [S.USER_ID_BASE + i for i, u in enumerate(S.SPECIAL_USERS) if u[0] == role]
        if role == "agent":
            first = S.USER_ID_BASE + self._first_generated_agent()
            specials += range(first, self._last_id + 1, S.AGENT_EVERY)
        picked = [i for i in specials if lo <= i < hi]
        return reversed(picked) if reverse else picked

    def _stamp(self, epoch: int) -> str:
        """`iso()` of a UTC epoch second, the date part cached (a million stamps span a few days)."""
        day, second = divmod(epoch, 86_400)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = iso(datetime.fromtimestamp(day * 86_400, UTC))[:10]  # type: ignore[index]
        return date + _TIMES_OF_DAY[second]

    def _generate(self, index: int) -> dict:
        user_id = S.USER_ID_BASE + index
        seed = self.seed
        if index < S.MIN_USERS:
            role, role_type, name, local, suspended, verified = S.SPECIAL_USERS[index]
            email = f"{local}@{S.EMAIL_DOMAIN}"
        else:
            first = FIRST_NAMES[(index * 7 + seed) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 13 + seed * 3) % len(LAST_NAMES)]
            name = f"{first} {last}"
            email = f"{first}.{last}.{index}@{GENERATED_DOMAIN}".lower()
            role = self._base_role(index)
            role_type = (1 if index % S.LIGHT_AGENT_EVERY == 0 else 0) if role == "agent" else None
            suspended = role == "end-user" and index % S.SUSPENDED_EVERY == 0
            verified = not (role == "end-user" and index % S.UNVERIFIED_EVERY == 0)
        stamp = self._stamp(self._created_base + 60 * index)
        staff = role != "end-user"
        return {
            "id": user_id,
            "name": name,
            "email": email,
            "created_at": stamp,
            "updated_at": stamp,
            "time_zone": "Amsterdam",
            "iana_time_zone": "Europe/Amsterdam",
            "phone": None,
            "shared_phone_number": None,
            "photo": None,
            "locale_id": 1,
            "locale": "en-US",
            "organization_id": None
            if staff
            else S.ORGANIZATION_IDS[(index + seed) % len(S.ORGANIZATION_IDS)],
            "role": role,
            "verified": verified,
            "external_id": None,
            "tags": [],
            "alias": "",
            "active": True,
            "shared": False,
            "shared_agent": False,
            "last_login_at": self._logins[index % 20] if verified else None,
            "two_factor_auth_enabled": None,
            "signature": "",
            "details": "",
            "notes": "",
            "role_type": role_type,
            "custom_role_id": role_id_for(role, role_type),
            "moderator": staff,
            "ticket_restriction": None if staff else "requested",
            "only_private_comments": False,
            "restricted_agent": not staff,
            "suspended": suspended,
            "default_group_id": 360_000_001 if staff else None,
            "report_csv": role == "admin",
            "user_fields": {},
        }


def _multiples(step: int, lo: int, hi: int) -> int:
    """How many multiples of `step` lie in [lo, hi)."""
    return max(0, -(-hi // step) - -(-lo // step))


def _dumps(record: dict) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


class UserTemplates:
    """Generated users' JSON without building their records (the listing's hot path): per shape (role,
    light agent, suspended, verified) and base URL, the record's JSON rendered once by `_dumps` and cut
    into the constant pieces between the values that vary from user to user, which are joined in.
    Equal byte for byte to `_dumps(render.user(...))` (tested)."""

    # the varying values, in the order they occur in the JSON (checked when a shape's pieces are made);
    # a marker is a private-use character, which `_dumps` writes as it is
    VARYING = ("id", "url", "name", "email", "created_at", "updated_at", "organization_id", "last_login_at")
    MARK = re.compile("[\ue000-\ue00f]")
    BASE_MARK = "\ue0ff"
    RAW = ("id", "organization_id", "last_login_at")  # spliced in as JSON values, not inside a string

    def __init__(self, directory: UserDirectory) -> None:
        self.directory = directory
        self._shapes: dict[tuple, list[str]] = {}  # shape -> pieces, the base URL still marked
        self._based: dict[str, dict[int, tuple[str, ...]]] = {}  # base -> shape's code -> pieces
        seed = directory.seed
        # "First Last" and "first.last." by (index * 7 + seed) % 24 * 25 + (index * 13 + seed * 3) % 25
        self._names = [
            (f"{first} {last}", f"{first}.{last}.".lower()) for first in FIRST_NAMES for last in LAST_NAMES
        ]
        self._first_offset, self._last_offset = seed % len(FIRST_NAMES), (seed * 3) % len(LAST_NAMES)
        self._organizations = [str(o) for o in S.ORGANIZATION_IDS]
        self._logins = [f'"{login}"' for login in directory._logins]

    def _shape(self, index: int) -> tuple[str, bool, bool, bool]:
        role = self.directory._base_role(index)
        end_user = role == "end-user"
        light = not end_user and index % S.LIGHT_AGENT_EVERY == 0
        return (
            role,
            light,
            end_user and index % S.SUSPENDED_EVERY == 0,
            not (end_user and index % S.UNVERIFIED_EVERY == 0),
        )

    def _shape_pieces(self, shape: tuple, index: int) -> list[str]:
        """The shape's JSON cut around VARYING (the base URL marked): 9 constant pieces. Strings'
        quotes stay in the pieces, and the email's and stamps' constant parts too."""
        pieces = self._shapes.get(shape)
        if pieces is None:
            record = render.user(self.directory._generate(index), self.BASE_MARK)
            mark = {name: chr(0xE000 + n) for n, name in enumerate(self.VARYING)}
            record.update(mark)
            record["url"] = f"{self.BASE_MARK}/api/v2/users/{mark['url']}.json"
            record["email"] = f"{mark['email']}@{GENERATED_DOMAIN}".lower()
            text = _dumps(record).decode()
            for name in self.RAW:
                text = text.replace(f'"{mark[name]}"', mark[name])
            order = [ord(m) - 0xE000 for m in self.MARK.findall(text)]
            if order != list(range(len(self.VARYING))) or text.count(self.BASE_MARK) != 1:
                raise AssertionError(f"the user JSON's fields are not in VARYING order: {order}")
            pieces = self._shapes[shape] = self.MARK.split(text)
        return pieces

    def _pieces(self, code: int, index: int, base: str) -> tuple[str, ...]:
        by_code = self._based.get(base)
        if by_code is None:
            if len(self._based) > 64:
                self._based.clear()
            by_code = self._based[base] = {}
        pieces = by_code.get(code)
        if pieces is None:
            encoded = json.dumps(base, ensure_ascii=False)[1:-1]
            marked = self._shape_pieces(self._shape(index), index)
            pieces = by_code[code] = tuple(p.replace(self.BASE_MARK, encoded) for p in marked)
        return pieces

    def render(self, index: int, base: str) -> bytes:
        return self.render_many((index,), base)

    def render_many(self, indices: Iterable[int], base: str) -> bytes:
        """Generated users (index >= MIN_USERS, none changed) as JSON joined by commas, in order."""
        directory = self.directory
        based = self._based.get(base, {})
        names, first_offset, last_offset = self._names, self._first_offset, self._last_offset
        n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
        organizations, logins = self._organizations, self._logins
        n_organizations, n_logins = len(organizations), len(logins)
        seed, id_base, created_base = directory.seed, S.USER_ID_BASE, directory._created_base
        agent_every, light_every = S.AGENT_EVERY, S.LIGHT_AGENT_EVERY
        suspended_every, unverified_every = S.SUSPENDED_EVERY, S.UNVERIFIED_EVERY
        days, times_of_day = directory._days, _TIMES_OF_DAY
        out: list[str] = []
        for index in indices:
            if index % agent_every:  # end user: code 2 + 2 * suspended + unverified
                code = 2 + 2 * (index % suspended_every == 0) + (index % unverified_every == 0)
                organization = organizations[(index + seed) % n_organizations]
                login = "null" if code & 1 else logins[index % n_logins]
            else:  # agent: code 0, light agent: 1
                code = int(index % light_every == 0)
                organization = "null"
                login = logins[index % n_logins]
            pieces = based.get(code)
            if pieces is None:
                pieces = self._pieces(code, index, base)
                based = self._based[base]
            name, email = names[
                (index * 7 + first_offset) % n_first * n_last + (index * 13 + last_offset) % n_last
            ]
            day, second = divmod(created_base + 60 * index, 86_400)
            date = days.get(day)
            if date is None:
                date = directory._stamp(day * 86_400)[:10]
            time_of_day = times_of_day[second]  # "THH:MM:SSZ"
            user_id = str(id_base + index)
            out += (
                pieces[0],
                user_id,
                pieces[1],
                user_id,
                pieces[2],
                name,
                pieces[3],
                email,
                str(index),
                pieces[4],
                date,
                time_of_day,
                pieces[5],
                date,
                time_of_day,
                pieces[6],
                organization,
                pieces[7],
                login,
                pieces[8],
                ",",
            )
        return "".join(out[:-1]).encode()
