"""Workload 6, census (issue 22): the role and suspension census of a large account, four ways.

Counts (inspect_users' default: Zendesk's count endpoints), the old full listing (zdlib, 100 users a
page), Zenpy's way (`zc.users()`, every user), against the physical minimum: the requests Zendesk needs
(6: performance.md section 3b, from the OAS CountUsers, ListCustomRoles, CountSearchResults); and the
sandbox's cursor pages of `GET /api/v2/users` a second (the referee's own speed, goal 1,000 on 2 cores).
"""

from __future__ import annotations

from typing import Any

from bench.compare import check_users_seen, run_client
from bench.pages import pages_per_second

SIZES = {"quick": {"users": 100_000, "pages": 1000}, "standard": {"users": 1_000_000, "pages": 3000}}
SIZES["full"] = SIZES["standard"]
PHYSICAL_MINIMUM = 6  # 3 role counts + custom_roles + permission_set + search/count (performance.md 3b)
MAX_COUNT_REQUESTS = 10  # issue 22: the default census in at most 10 requests
PAGES_GOAL = 1000


def run(mode: str) -> dict[str, Any]:
    users, pages = SIZES[mode]["users"], SIZES[mode]["pages"]
    check = check_users_seen(users)
    counts = {**run_client("zdlib", "census_counts", {"users": users}, check), "client": "zdlib counts"}
    listing = {**run_client("zdlib", "census", {"users": users}, check), "client": "zdlib full listing"}
    zenpy = {**run_client("zenpy", "census", {"users": users}, check), "client": "zenpy users()"}
    minimum = {"client": "physical minimum (Zendesk)", "requests": PHYSICAL_MINIMUM, "correct": True}
    probe = pages_per_second(users, pages, serial_pages=min(pages // 3, users // 100 - pages))
    census_target = {
        "goal": f"the census in at most {MAX_COUNT_REQUESTS} requests, equal to the full listing's counts",
        "met": counts["requests"] <= MAX_COUNT_REQUESTS and _same_census(counts, listing),
        "measured": f"{counts['requests']} requests, {counts['wall_s']} s; full listing "
        f"{listing['requests']:,} requests, {listing['wall_s']} s; "
        f"Zenpy {zenpy['requests']:,} requests, {zenpy['wall_s']} s",
    }
    pages_target = {
        "goal": f"the sandbox serves {PAGES_GOAL:,} uncached cursor pages a second",
        "met": probe["pages_per_s"] >= PAGES_GOAL,
        "measured": f"{probe['pages_per_s']:,} pages/s over {probe['pages']:,} pages ({probe['wall_s']} s); "
        f"sandbox CPU {probe['sandbox_cpu_ms_per_page']} ms a page, client CPU "
        f"{probe['client_cpu_ms_per_page']} ms"
        + (
            f"; httpx decoding each page before the next: {probe['serial_httpx']['pages_per_s']:,} pages/s"
            if "serial_httpx" in probe
            else ""
        ),
    }
    settings = {"users": users, "rate_limit": "1,000,000/60 s"}
    return {
        "workload": "census",
        "title": "6. Census by counts",
        "cases": [
            {"settings": settings, "runs": [counts, listing, zenpy, minimum], "target": census_target},
            {
                "settings": {**settings, "pages": pages},
                "runs": [{"client": "sandbox", **probe}],
                "target": pages_target,
            },
        ],
    }


def _same_census(counts: dict[str, Any], listing: dict[str, Any]) -> bool:
    """The counts say what the full listing found: users, admins, agents (light ones apart), end users."""
    if not (counts["correct"] and listing["correct"]):
        return False
    found, roles = counts.get("counts", {}), listing.get("roles", {})
    light = found.get("role: light agent", 0)
    return (
        found.get("users") == listing.get("census_total")
        and found.get("role: admin") == roles.get("admin", 0)
        and found.get("role: agent", 0) - light == roles.get("agent", 0)
        and light == roles.get("light agent", 0)
        and found.get("role: end-user") == roles.get("end-user", 0)
    )
