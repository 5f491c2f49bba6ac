from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from tests.client.conftest import BASE, make_client
from zdlib import PaginationDepthError, PaginationError


def cursor_server(total: int, per_page: int = 100, host: str = BASE):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        query = parse_qs(request.url.query.decode())
        size = int(query["page[size]"][0])
        start = int(query.get("page[after]", ["0"])[0])
        items = [{"id": i} for i in range(start, min(start + size, total))]
        more = start + size < total
        after = str(start + size) if more else None
        return httpx.Response(
            200,
            json={
                "users": items,
                "meta": {"has_more": more, "after_cursor": after},
                "links": {
                    "next": f"{host}/api/v2/users?page[size]={size}&page[after]={after}" if more else None
                },
            },
        )

    return handler, requests


def test_cursor_pagination_is_lazy_and_complete() -> None:
    handler, requests = cursor_server(250)
    client = make_client(handler)
    users = client.users.iterate(page_size=500)
    assert requests == []
    first = next(users)
    assert first == {"id": 0} and len(requests) == 1
    assert parse_qs(requests[0].url.query.decode())["page[size]"] == ["100"]
    rest = list(users)
    assert [u["id"] for u in [first, *rest]] == list(range(250))
    assert users.pages == 3 and len(requests) == 3


def test_cursor_can_resume() -> None:
    handler, _ = cursor_server(250)
    client = make_client(handler)
    users = client.users.iterate()
    for _ in range(150):
        next(users)
    assert users.cursor == "100"  # page 2 is being read: resume from its start
    for _ in range(50):
        next(users)
    next(users)
    assert users.cursor == "200"
    resumed = client.users.iterate(cursor=users.cursor)
    assert [u["id"] for u in resumed] == list(range(200, 250))


def test_repeated_cursor_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "users": [{"id": 1}],
                "meta": {"has_more": True, "after_cursor": "same"},
                "links": {"next": f"{BASE}/api/v2/users?page[size]=100&page[after]=same"},
            },
        )

    users = make_client(handler).users.iterate()
    with pytest.raises(PaginationError, match="same cursor or next-page link twice"):
        list(users)
    assert users.pages == 2


def test_next_link_to_another_host_is_refused() -> None:
    handler, _ = cursor_server(250, host="https://evil.example.com")
    with pytest.raises(PaginationError, match=r"evil\.example\.com"):
        list(make_client(handler).users.iterate())


def test_missing_key_is_an_error() -> None:
    client = make_client(lambda request: httpx.Response(200, json={"items": []}))
    with pytest.raises(PaginationError, match="'users'"):
        list(client.users.iterate())


def offset_server(total_pages: int):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        page = int(parse_qs(request.url.query.decode()).get("page", ["1"])[0])
        nxt = (
            f"{BASE}/api/v2/users/search?query=x&per_page=100&page={page + 1}" if page < total_pages else None
        )
        return httpx.Response(200, json={"users": [{"id": page}], "next_page": nxt, "count": total_pages})

    return handler, requests


def test_offset_pagination_follows_next_page() -> None:
    handler, requests = offset_server(3)
    assert [u["id"] for u in make_client(handler).users.search("role:admin")] == [1, 2, 3]
    assert parse_qs(requests[0].url.query.decode()) == {"query": ["role:admin"], "per_page": ["100"]}


def test_offset_depth_limit_is_raised_before_page_101() -> None:
    handler, requests = offset_server(150)
    pages = make_client(handler).paginate_offset("/api/v2/users/search", "users", params={"query": "x"})
    with pytest.raises(PaginationDepthError, match=r"Use cursor pagination"):
        list(pages)
    assert len(requests) == 100


def test_user_search_stops_at_zendesks_1000_results() -> None:
    """zendesk-api.md §3: search returns at most 1,000 results and page 11 is a 422 (fidelity.md K1)."""
    handler, requests = offset_server(150)
    pages = make_client(handler).users.search("x")
    assert len(list(pages)) == 10 and len(requests) == 10
    assert pages.truncated and pages.count == 150


def test_incremental_export_until_end_of_stream() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        query = parse_qs(request.url.query.decode())
        n = int(query.get("cursor", ["c0"])[0][1:])
        end = n == 2
        return httpx.Response(
            200,
            json={
                "users": [{"id": n}],
                "after_cursor": f"c{n + 1}",
                "after_url": f"{BASE}/api/v2/incremental/users/cursor?cursor=c{n + 1}",
                "end_of_stream": end,
            },
        )

    export = make_client(handler).users.export(start_time=1700000000)
    assert [u["id"] for u in export] == [0, 1, 2]
    assert parse_qs(requests[0].url.query.decode()) == {"start_time": ["1700000000"]}
    assert export.cursor == "c3"


def test_incremental_repeated_cursor_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"users": [], "after_cursor": "x", "end_of_stream": False})

    with pytest.raises(PaginationError):
        list(make_client(handler).users.export())


def test_each_fetched_page_is_reported_to_on_event_for_progress() -> None:
    handler, requests = cursor_server(250)
    events = []
    client = make_client(handler, on_event=events.append)
    users = list(client.users.iterate())
    pages = [e for e in events if e.kind == "page"]
    assert len(users) == 250 and len(requests) == 3
    assert [(e.path, e.attempt, e.items) for e in pages] == [
        ("/api/v2/users", 1, 100),
        ("/api/v2/users", 2, 200),
        ("/api/v2/users", 3, 250),
    ]
    silent = make_client(cursor_server(250)[0]).users.iterate()
    assert silent.on_page is None and len(list(silent)) == 250  # no hook: nothing is reported
