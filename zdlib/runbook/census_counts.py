"""The census's headline from Zendesk's count endpoints: a handful of requests, however large the account.

Evidence: migration-research.md section 2.3 ("a role census is 3-5 requests", light agents by
`permission_set`, any predicate by `search/count`) and performance.md section 3b (6 requests against
10,002 for 1,000,000 users). Each number says how fresh Zendesk says it is (`Freshness`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from zdlib.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from zdlib.client import Client
    from zdlib.resources import UserCount

ROLE_COUNTS = ("admin", "agent", "end-user")
SUSPENDED_QUERY = "type:user is_suspended:true"
LIGHT_AGENT_TYPE = 1  # CustomRoleObject.role_type: "1 for a light agent" (OAS ticketing-2026-05.yaml)
EXACT_UP_TO = 100_000  # CountUsers: "If the count exceeds 100,000, it is updated every 24 hours"


class Freshness(StrEnum):
    """How current a count is, in Zendesk's own terms."""

    CURRENT = "approximate, current"  # CountUsers up to 100,000: refreshed as it is asked
    DAILY = "approximate, refreshed every 24 hours"  # CountUsers above 100,000 (OAS CountUsers)
    REFRESHING = "capped at 100,000 while Zendesk refreshes it"  # CountUsers, `refreshed_at` null
    SEARCH_INDEX = "search index (lags changes by minutes)"  # migration-research.md 2.3, "lag 3P"
    ROLE_LISTING = "custom role listing (team_member_count)"  # OAS CustomRoleObject
    SUM = "sum of the role counts"

    @classmethod
    def of(cls, count: UserCount) -> Freshness:
        if count.refreshed_at is None:
            return cls.REFRESHING
        return cls.DAILY if count.value > EXACT_UP_TO else cls.CURRENT


@dataclass(frozen=True)
class Measure:
    """One number of the census, the request that answered it, and how fresh it is."""

    measure: str
    count: int
    freshness: Freshness
    refreshed_at: str | None
    request: str


def _user_count(label: str, count: UserCount, request: str) -> Measure:
    return Measure(label, count.value, Freshness.of(count), count.refreshed_at, request)


def _custom_roles(client: Client) -> tuple[list[dict[str, Any]], str | None]:
    """The account's custom roles, or none and why (they are Enterprise-only: OAS ListCustomRoles)."""
    try:
        return client.custom_roles.list(), None
    except (NotFound, PermissionDenied) as error:
        return [], (
            f"Custom roles are not available here ({error.status}): light agents and custom roles are not "
            "counted. They exist on Zendesk's Enterprise plan and above."
        )


def count_census(client: Client) -> tuple[list[Measure], list[str]]:
    """Users by role (light agents and each custom role too) and suspended users: 2 requests plus one a
    role and one for light agents, whatever the account's size. Returns the measures and any notes."""
    measures = [
        _user_count(f"role: {role}", client.users.count_of(roles=(role,)), f"users/count?role={role}")
        for role in ROLE_COUNTS
    ]
    total = sum(m.count for m in measures)
    measures.insert(0, Measure("users", total, Freshness.SUM, None, "(sum of the three above)"))
    roles, note = _custom_roles(client)
    for role in roles:
        if role.get("role_type") == LIGHT_AGENT_TYPE:
            count = client.users.count_of(permission_set=int(role["id"]))
            request = f"users/count?permission_set={role['id']}"
            measures.append(_user_count("role: light agent", count, request))
        else:
            members = int(role.get("team_member_count") or 0)
            label = f"custom role: {role.get('name')}"
            measures.append(Measure(label, members, Freshness.ROLE_LISTING, None, "custom_roles"))
    suspended = client.search.count(SUSPENDED_QUERY)
    request = f"search/count?query={SUSPENDED_QUERY}"
    measures.append(Measure("suspended", suspended, Freshness.SEARCH_INDEX, None, request))
    return measures, [note] if note else []


def measures_table(measures: list[Measure]) -> pd.DataFrame:
    """The census as a table: measure, count, freshness, refreshed at, request."""
    return pd.DataFrame(
        [(m.measure, m.count, str(m.freshness), m.refreshed_at or "", m.request) for m in measures],
        columns=["measure", "count", "freshness", "refreshed at", "request"],
    )


def role_series(measures: list[Measure]) -> pd.Series:
    """Users per role from the counts, light agents apart from the other agents."""
    counts = {m.measure: m.count for m in measures}
    light = counts.get("role: light agent", 0)
    return pd.Series(
        {
            "end-user": counts.get("role: end-user", 0),
            "light agent": light,
            "agent": counts.get("role: agent", 0) - light,
            "admin": counts.get("role: admin", 0),
        }
    )


def export_estimate(users: int, per_page: int = 1000, per_minute: int = 10) -> str:
    """What the incremental user export of `users` users will take, said before it starts: 1,000 users a
    page (developer docs, via migration-research.md 2.3) at 10 requests a minute (Zendesk's rate limits
    page, "Incremental exports": 10 a minute; 30 with the High Volume add-on)."""
    pages = max(1, -(-users // per_page))
    minutes = (pages - 1) / per_minute
    return (
        f"The full census reads {users:,} users through the incremental user export: about {pages:,} "
        f"requests, at least {minutes:,.0f} minutes at Zendesk's {per_minute} exports a minute."
    )
