"""Cursor and offset pagination, their limits, absolute links built from the request's Host."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.sandbox.support import client
from zdlib.sandbox import seed as S
from zdlib.sandbox.pagination import encode_cursor
from zdlib.sandbox.server import SandboxServer


def test_cursor_walk_sees_every_user_once_and_stops(api, fresh_sandbox):
    seen, url, pages = [], "/api/v2/users.json?page[size]=100", 0
    while url:
        body = api.get(url).json()
        seen += [u["id"] for u in body["users"]]
        pages += 1
        url = body["links"]["next"] if body["meta"]["has_more"] else None
        assert url is None or url.startswith(fresh_sandbox.url + "/api/v2/users.json?")
    assert pages == 20
    assert seen == sorted(set(seen)) and len(seen) == fresh_sandbox.options.users


def test_links_follow_the_host_header_and_before_goes_back(api):
    first = api.get("/api/v2/users", params={"page[size]": 3}, headers={"Host": "acme.example:8443"}).json()
    assert first["links"]["next"].startswith("http://acme.example:8443/api/v2/users?")
    second = api.get(
        "/api/v2/users", params={"page[size]": 3, "page[after]": first["meta"]["after_cursor"]}
    ).json()
    back = api.get(
        "/api/v2/users", params={"page[size]": 3, "page[before]": second["meta"]["before_cursor"]}
    ).json()
    assert [u["id"] for u in back["users"]] == [u["id"] for u in first["users"]]
    assert [u["id"] for u in second["users"]] == [S.USER_ID_BASE + i for i in (3, 4, 5)]


def test_page_size_is_capped_at_100_and_role_filters(api):
    assert len(api.get("/api/v2/users", params={"page[size]": 500}).json()["users"]) == 100
    admins = api.get("/api/v2/users", params={"role": "admin", "page[size]": 100}).json()
    assert [u["id"] for u in admins["users"]] == list(S.ADMIN_IDS)
    agents = api.get("/api/v2/users", params={"role[]": "agent", "per_page": 100}).json()
    count = api.get("/api/v2/users/count", params={"role": "agent"}).json()["count"]["value"]
    assert agents["count"] == count == len([u for u in agents["users"] if u["role"] == "agent"])


def test_offset_pages_and_depth_limit(api):
    body = api.get("/api/v2/users", params={"per_page": 100, "page": 2}).json()
    assert body["count"] == 2000 and len(body["users"]) == 100
    assert parse_qs(urlsplit(body["next_page"]).query)["page"] == ["3"]
    assert parse_qs(urlsplit(body["previous_page"]).query)["page"] == ["1"]
    last = api.get("/api/v2/users", params={"per_page": 100, "page": 20}).json()
    assert last["next_page"] is None
    too_deep = api.get("/api/v2/users", params={"per_page": 10, "page": 101})
    assert too_deep.status_code == 400
    assert too_deep.json()["errors"][0]["code"] == "InvalidPaginationDepth"


def test_search_limits(api):
    found = api.get("/api/v2/users/search", params={"query": "role:end-user", "per_page": 100, "page": 10})
    assert found.status_code == 200 and found.json()["count"] > 1000
    beyond = api.get("/api/v2/users/search", params={"query": "role:end-user", "per_page": 100, "page": 11})
    assert beyond.status_code == 422
    assert "Search Response Limits" in beyond.json()["description"]
    assert api.get("/api/v2/users/search", params={"query": "x", "page[size]": 10}).status_code == 400


def test_search_terms(api):
    by_email = api.get("/api/v2/users/search", params={"query": f"email:{S.ADMIN_EMAIL}"}).json()
    assert [u["id"] for u in by_email["users"]] == [S.ADMIN_ID]
    light = api.get("/api/v2/users/search", params={"query": 'role:agent name:"Linus"'}).json()
    assert [u["id"] for u in light["users"]] == [S.LIGHT_AGENT_ID]
    assert api.get("/api/v2/users/search", params={"query": "role:admin"}).json()["count"] == 3


def test_automation_pagination_both_ways(api):
    with SandboxServer(automations=450) as big, client(big) as http:
        cursor_ids, url = [], "/api/v2/automations?page[size]=100"
        while url:
            body = http.get(url).json()
            cursor_ids += [a["id"] for a in body["automations"]]
            url = body["links"]["next"]
        offset = http.get("/api/v2/automations", params={"per_page": 100, "page": 5}).json()
    assert len(cursor_ids) == len(set(cursor_ids)) == 450
    assert offset["count"] == 450 and len(offset["automations"]) == 50 and offset["next_page"] is None


def test_incremental_export_resumes_and_includes_changes(api):
    api.put(f"/api/v2/users/{S.AGENT_ID}", json={"user": {"notes": "changed"}})
    ids, params = [], {"start_time": 0}
    while True:
        body = api.get("/api/v2/incremental/users/cursor.json", params=params).json()
        ids += [u["id"] for u in body["users"]]
        if body["end_of_stream"]:
            break
        params = {"cursor": body["after_cursor"]}
    assert len(ids) == len(set(ids)) == 2000
    assert ids[-1] == S.AGENT_ID  # the changed user comes last, in updated_at order


def test_a_million_users_are_generated_lazily():
    with SandboxServer(users=1_000_000) as huge, client(huge) as http:
        count = http.get("/api/v2/users/count").json()["count"]["value"]
        beyond = encode_cursor(S.USER_ID_BASE + 1_000_000)
        tail = http.get("/api/v2/users", params={"page[size]": 100, "page[before]": beyond}).json()
        # above 100,000 the count is the daily refresh's (OAS CountUsers), not capped: the whole account
        assert count == 1_000_000
        assert tail["users"][-1]["id"] == S.USER_ID_BASE + 999_999
        assert len(huge.state.store.users.overlay) == 0


def test_bad_parameters_are_400s(api):
    assert api.get("/api/v2/users", params={"role": "owner"}).status_code == 400
    assert api.get("/api/v2/users", params={"page[size]": "lots"}).status_code == 400
    assert api.get("/api/v2/users", params={"page[after]": "not-a-cursor"}).json()["errors"][0]["code"] == (
        "InvalidPaginationParameter"
    )
    assert api.get("/api/v2/incremental/users/cursor", params={"start_time": "yesterday"}).status_code == 400
    all_roles = api.get("/api/v2/users", params={"role[]": ["admin", "agent", "end-user"], "per_page": 1})
    assert all_roles.json()["count"] == 2000
