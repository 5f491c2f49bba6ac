"""`GET /api/v2/search/export` on the sandbox, over HTTP (OAS `ticketing-2026-05.yaml`, ExportSearchResults).

Evidence: "ordered only by the `created_at` attribute", `filter[type]` required and no type in the query,
"a maximum of 1000 records per page", the `after_cursor` "expires after one hour", `links.prev` "always
null", no `count`. The truth for "every match" is found another way: the cursor listing of `/users`.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.sandbox.support import token_auth
from zdlib import Client, load_settings
from zdlib.sandbox.server import SandboxServer

EXPORT = "/api/v2/search/export"
USERS = {"query": "role:agent", "filter[type]": "user"}


@pytest.fixture(scope="module")
def small() -> Iterator[SandboxServer]:
    with SandboxServer(users=3000, as_of="2026-11-28", seed=1) as server:
        yield server


@pytest.fixture
def http(small: SandboxServer) -> Iterator[httpx.Client]:
    small.control.reset()
    with httpx.Client(base_url=small.url, headers=token_auth(small), timeout=60) as client:
        yield client


def _export(http: httpx.Client, query: str, size: int) -> tuple[list[dict], int]:
    """Every result, following `links.next` to the end; and how many pages that took."""
    answer = http.get(EXPORT, params={"query": query, "filter[type]": "user", "page[size]": size})
    results, pages = [], 0
    while True:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages += 1
        assert "count" not in body and body["links"]["prev"] is None and body["meta"]["before_cursor"] is None
        assert len(body["results"]) <= size
        results += body["results"]
        if not body["meta"]["has_more"]:
            assert body["links"]["next"] is None
            return results, pages
        assert body["meta"]["after_cursor"] in body["links"]["next"]
        answer = http.get(body["links"]["next"])


def _every_user(http: httpx.Client) -> list[dict]:
    users, url, params = [], "/api/v2/users", {"page[size]": 100}
    while url:
        body = http.get(url, params=params).json()
        users += body["users"]
        url, params = (body["links"]["next"] if body["meta"]["has_more"] else None), None
    return users


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("role:agent", lambda u: u["role"] == "agent"),
        ("name:alex", lambda u: "alex" in u["name"].lower()),
        ("is_suspended:true", lambda u: u["suspended"]),
        ("email:nobody@example.org", lambda u: False),
    ],
)
def test_paging_to_the_end_gives_exactly_the_matches_in_created_order(http, query, wanted):
    everyone = _every_user(http)
    expected = [u["id"] for u in everyone if wanted(u)]
    assert len(everyone) == 3000 and (expected or query.startswith("email:"))
    for size in (7, 1000, max(1, len(expected))):
        results, pages = _export(http, query, size)
        assert [r["id"] for r in results] == expected, (query, size)
        assert pages == max(1, -(-len(expected) // size))  # has_more is false on the last full page
    created = [r["created_at"] for r in results]
    assert created == sorted(created) and {r["result_type"] for r in results} <= {"user"}


def test_the_client_exports_every_match_through_the_sandbox(small, http):
    """zdlib's `client.search.export` follows the sandbox's cursors to the same users as the listing."""
    expected = [u["id"] for u in _every_user(http) if "alex" in u["name"].lower()]
    with Client(load_settings(environ=small.env)) as zd:
        pages = zd.search.export("name:alex", page_size=10)
        assert [r["id"] for r in pages] == expected and pages.pages == -(-len(expected) // 10)
        assert pages.cursor is not None and len(expected) > 10


def test_a_full_page_of_1000_and_the_default_size(http):
    body = http.get(EXPORT, params={"query": "role:end-user", "filter[type]": "user", "page[size]": 1000})
    assert len(body.json()["results"]) == 1000 and body.json()["meta"]["has_more"]
    default = http.get(EXPORT, params={"query": "role:end-user", "filter[type]": "user"}).json()
    assert len(default["results"]) == 100 and "page%5Bsize%5D=100" in default["links"]["next"]


@pytest.mark.parametrize("kind", ["ticket", "organization", "group"])
def test_types_the_sandbox_holds_none_of_export_nothing(http, kind):
    body = http.get(EXPORT, params={"query": "status:open", "filter[type]": kind}).json()
    assert body["results"] == [] and body["meta"]["has_more"] is False and body["links"]["next"] is None


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"filter[type]": "user"}, "query is required"),
        ({"query": "role:agent"}, "filter[type] is required"),
        ({"query": "role:agent", "filter[type]": "tickets"}, "filter[type]=tickets is not one of"),
        ({"query": "type:user role:agent", "filter[type]": "user"}, "query must not name a type"),
        ({**USERS, "page[size]": 1001}, "page[size] must be between"),
        ({**USERS, "page[size]": 0}, "page[size] must be between"),
        ({**USERS, "page[size]": "ten"}, "page[size] must be an integer"),
        ({**USERS, "page[before]": "x"}, "page[before] is not supported"),
        ({**USERS, "page[after]": "!!"}, "not a valid search export"),
    ],
)
def test_bad_input_is_a_400_naming_what_is_wrong(http, params, named):
    answer = http.get(EXPORT, params=params)
    assert answer.status_code == 400 and named in answer.text, answer.text


def test_a_cursor_lasts_one_hour_of_the_sandbox_clock_and_only_for_its_own_export(small, http):
    params = {"query": "role:end-user", "filter[type]": "user", "page[size]": 10}
    first = http.get(EXPORT, params=params).json()
    cursor, link = first["meta"]["after_cursor"], first["links"]["next"]
    other = http.get(EXPORT, params={**params, "query": "role:agent", "page[after]": cursor})
    assert other.status_code == 400 and "belongs to another export" in other.text
    small.control.set_clock(advance_days=59 / 1440)
    second = http.get(link)
    assert second.status_code == 200 and second.json()["results"][0]["id"] > first["results"][-1]["id"]
    small.control.set_clock(advance_days=2 / 1440)  # 61 minutes after the first page
    expired = http.get(link)
    assert expired.status_code == 400 and "has expired" in expired.text
    assert expired.json()["errors"][0]["code"] == "InvalidPaginationParameter"
    renewed = http.get(second.json()["links"]["next"])  # issued 2 minutes ago: still good
    assert renewed.status_code == 200
