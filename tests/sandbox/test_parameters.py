"""Documented query parameters the sandbox used to ignore or refuse (issue 10 item 6, fidelity.md §2.4).

Each test names the probe (D1-D7 in the review `fidelity.md`, 2026-12-02) and the operation of Zendesk's
OpenAPI document `ticketing-2026-05.yaml` (OAS) that documents the parameter.
"""

from __future__ import annotations

from zdlib.sandbox import seed as S

AGENT, END_USER = S.AGENT_ID, S.END_USER_ID


def tag(api, user_id: int, **fields) -> None:
    assert api.put(f"/api/v2/users/{user_id}", json={"user": fields}).status_code == 200


def ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [u["id"] for u in answer.json()["users"]]


def test_d1_external_id_filters_users_and_search(api):
    """OAS ListUsers `external_id` ("List users by external id") and SearchUsers `external_id`."""
    tag(api, AGENT, external_id="crm-42")
    assert ids(api.get("/api/v2/users", params={"external_id": "crm-42"})) == [AGENT]
    assert ids(api.get("/api/v2/users", params={"external_id": "does-not-exist"})) == []
    assert ids(api.get("/api/v2/users", params={"external_id": "crm-42", "page[size]": 10})) == [AGENT]
    assert ids(api.get("/api/v2/users/search", params={"external_id": "crm-42"})) == [AGENT]
    assert ids(api.get("/api/v2/users/search", params={"external_id": "does-not-exist"})) == []


def test_d2_show_many_by_external_ids(api):
    """OAS ShowManyUsers `external_ids`: "a comma-separated list of up to 100 external ids"."""
    tag(api, AGENT, external_id="abc")
    tag(api, END_USER, external_id="def")
    assert ids(api.get("/api/v2/users/show_many", params={"external_ids": "abc,def,nope"})) == [
        AGENT,
        END_USER,
    ]


def test_d3_permission_set_filters_list_and_count(api):
    """OAS ListUsers and CountUsers `permission_set` (a custom role id)."""
    tag(api, AGENT, custom_role_id=123)
    assert ids(api.get("/api/v2/users", params={"permission_set": 123})) == [AGENT]
    assert api.get("/api/v2/users/count", params={"permission_set": 123}).json()["count"]["value"] == 1
    assert api.get("/api/v2/users", params={"permission_set": "AAA"}).status_code == 400


def test_d4_role_brackets_take_several_roles(api):
    """OAS ListUsers `role[]`: "Filters the results by more than one role using the format
    role[]={role}&role[]={role}"."""
    both = [("role[]", "admin"), ("role[]", "agent")]
    listed = api.get("/api/v2/users", params=[*both, ("per_page", 100)]).json()
    roles = {u["role"] for u in listed["users"]}
    admins = api.get("/api/v2/users/count", params={"role": "admin"}).json()["count"]["value"]
    agents = api.get("/api/v2/users/count", params={"role": "agent"}).json()["count"]["value"]
    assert roles == {"admin", "agent"} and listed["count"] == admins + agents
    assert api.get("/api/v2/users/count", params=both).json()["count"]["value"] == admins + agents
    cursor = api.get("/api/v2/users", params=[*both, ("page[size]", 100)]).json()["users"]
    assert [u["id"] for u in cursor] == sorted(u["id"] for u in cursor)


def test_d5_sort_users_and_automations(api):
    """OAS ListUsers/ListAutomations `sort` ("Prefix with - for descending order ... determines the cursor
    ordering"), AutomationSortBy/AutomationSortOrder."""
    first = ids(api.get("/api/v2/users", params={"sort": "-id", "page[size]": 2}))
    assert first == [S.USER_ID_BASE + 1999, S.USER_ID_BASE + 1998]
    page = api.get("/api/v2/users", params={"sort": "-id", "page[size]": 2}).json()
    after = api.get(page["links"]["next"]).json()["users"]
    assert [u["id"] for u in after] == [S.USER_ID_BASE + 1997, S.USER_ID_BASE + 1996]
    assert api.get("/api/v2/users", params={"sort": "name"}).status_code == 400  # listed in the README
    titles = [a["title"] for a in api.get("/api/v2/automations", params={"sort_by": "alphabetical"}).json()[
        "automations"]]  # fmt: skip
    assert titles == sorted(titles)
    newest = api.get("/api/v2/automations", params={"sort_by": "created_at"}).json()["automations"]
    assert [a["created_at"] for a in newest] == sorted((a["created_at"] for a in newest), reverse=True)
    assert api.get("/api/v2/automations", params={"active": "AAA"}).status_code == 400


def test_d6_global_client_id_filters_tokens(api):
    """OAS ListOAuthTokens `global_client_id`; the sandbox models no global clients, so none match."""
    every = api.get("/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
    none = api.get("/api/v2/oauth/tokens", params={"all": "true", "global_client_id": 5}).json()["tokens"]
    assert every and none == []
    assert api.get("/api/v2/oauth/tokens", params={"global_client_id": "AAA"}).status_code == 400


def test_d7_time_based_incremental_user_export(fresh_sandbox, api):
    """OAS IncrementalUserExportTime, TimeBasedExportIncrementalUsersResponse {users, count, end_of_stream,
    end_time, next_page}."""
    first = api.get("/api/v2/incremental/users", params={"start_time": 0, "per_page": 1500}).json()
    assert set(first) == {"users", "count", "end_of_stream", "end_time", "next_page"}
    assert first["count"] == len(first["users"]) == 1000 and first["end_of_stream"] is False
    pages, seen = [first], {u["id"] for u in first["users"]}
    while not pages[-1]["end_of_stream"] and len(pages) < 5:  # the last user of a page may come again
        pages.append(api.get(pages[-1]["next_page"]).json())
        seen |= {u["id"] for u in pages[-1]["users"]}
    assert pages[-1]["end_of_stream"] is True and len(seen) == 2000
    second = pages[-1]
    tag(api, AGENT, notes="changed")
    since = api.get("/api/v2/incremental/users", params={"start_time": second["end_time"] + 1}).json()
    assert [u["id"] for u in since["users"]] == [AGENT]
    assert api.get("/api/v2/incremental/users").status_code == 400


def test_search_wildcards_as_in_runbooks_md(api):
    """runbooks.md's example `email:*@example.com` (Zendesk search reference, "Search operators": `*`)."""
    found = api.get("/api/v2/users/search", params={"query": "email:*@example.com", "per_page": 5}).json()
    assert found["count"] == 2000 - S.MIN_USERS and all(
        u["email"].endswith("@example.com") for u in found["users"]
    )
    exact = api.get("/api/v2/users/search", params={"query": f"email:{S.AGENT_EMAIL}"}).json()
    assert [u["id"] for u in exact["users"]] == [AGENT]
    named = api.get("/api/v2/users/search", params={"query": "name:ala*"}).json()["users"]
    assert named and all(any(w.lower().startswith("ala") for w in u["name"].split()) for u in named)
