"""client.search.export over a mock transport: the request Zendesk documents, and its cursor followed.

Evidence: OAS `ticketing-2026-05.yaml` ExportSearchResults (`query`, `filter[type]`, `page[size]` up to
1000, `page[after]`, `links.next`, `meta.after_cursor`, `meta.has_more`).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from tests.client.conftest import BASE, SECRETS, make_client

PAGES = {  # two pages of an export, as Zendesk answers them
    None: ([{"id": 1, "result_type": "user"}, {"id": 2, "result_type": "user"}], "eyJhZnRlciI6Mn0="),
    "eyJhZnRlciI6Mn0=": ([{"id": 3, "result_type": "user"}], None),
}


def zendesk():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        params = parse_qs(request.url.query.decode())
        assert request.url.path == "/api/v2/search/export"
        results, after = PAGES[params.get("page[after]", [None])[0]]
        link = (
            f"{BASE}/api/v2/search/export?filter%5Btype%5D=user&page%5Bafter%5D={after}&page%5Bsize%5D=1000"
        )
        return httpx.Response(
            200,
            json={
                "results": results,
                "facets": None,
                "meta": {"has_more": after is not None, "after_cursor": after, "before_cursor": None},
                "links": {"next": link if after else None, "prev": None},
            },
        )

    return handler, sent


def test_export_follows_the_cursor_to_the_end():
    handler, sent = zendesk()
    client = make_client(handler)
    pages = client.search.export("name:alex", type="user")
    assert sent == []  # lazy
    assert [r["id"] for r in pages] == [1, 2, 3] and pages.pages == 2
    first, second = (parse_qs(r.url.query.decode()) for r in sent)
    assert first == {"query": ["name:alex"], "filter[type]": ["user"], "page[size]": ["1000"]}
    assert second["page[after]"] == ["eyJhZnRlciI6Mn0="] and second["page[size]"] == ["1000"]
    assert pages.cursor == "eyJhZnRlciI6Mn0="  # where a resumed export would start
    assert SECRETS["oauth_token"] not in repr(pages) + repr(client) + repr(client.search)
    assert sent[1].headers["Authorization"].endswith(SECRETS["oauth_token"])  # sent, on the instance only


def test_export_resumes_from_a_cursor():
    handler, sent = zendesk()
    pages = make_client(handler).search.export("name:alex", page_size=50, cursor="eyJhZnRlciI6Mn0=")
    assert [r["id"] for r in pages] == [3]
    assert parse_qs(sent[0].url.query.decode())["page[after]"] == ["eyJhZnRlciI6Mn0="]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": " "}, "needs a query"),
        ({"query": "role:agent", "type": "users"}, "type='users' is not one of"),
        ({"query": "role:agent", "page_size": 1001}, "page_size=1001 is not between 1 and 1000"),
    ],
)
def test_export_refuses_what_zendesk_would(kwargs, message):
    handler, sent = zendesk()
    with pytest.raises(ValueError, match=message):
        make_client(handler).search.export(**kwargs)
    assert sent == []
