"""The census's counts over a mock transport: requests sent, freshness read from Zendesk's answers.

Evidence: OAS `ticketing-2026-05.yaml` CountUsers (`refreshed_at` null while a refresh runs, the value
"limited to 100,000 until the update is complete"), ListCustomRoles (Enterprise plan and above).
"""

from __future__ import annotations

import httpx
import pytest

from tests.client.conftest import make_client
from zdlib.runbook.census import Detail
from zdlib.runbook.census_counts import Freshness, count_census, export_estimate, measures_table

COUNTS = {"admin": 4, "agent": 250_000, "end-user": 100_000}


def zendesk(custom_roles: int = 200, refreshing: bool = False):
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.url.path}?{request.url.query.decode()}")
        params = request.url.params
        if request.url.path == "/api/v2/users/count":
            value = 3000 if "permission_set" in params else COUNTS[params["role"]]
            stamp = None if refreshing and value >= 100_000 else "2026-12-03T02:00:00Z"
            return httpx.Response(200, json={"count": {"value": value, "refreshed_at": stamp}})
        if request.url.path == "/api/v2/custom_roles":
            roles = [
                {"id": 7, "name": "Light Agent", "role_type": 1, "team_member_count": 3000},
                {"id": 8, "name": "Billing", "role_type": 0, "team_member_count": 12},
            ]
            return httpx.Response(custom_roles, json={"custom_roles": roles} if custom_roles == 200 else {})
        if request.url.path == "/api/v2/search/count":
            assert params["query"] == "type:user is_suspended:true"
            return httpx.Response(200, json={"count": 41})
        return httpx.Response(404, json={"error": "InvalidEndpoint"})

    return handler, sent


def test_the_counts_take_six_requests_and_say_how_fresh_each_is():
    handler, sent = zendesk()
    measures, notes = count_census(make_client(handler))
    assert len(sent) == 6 and not notes
    by_name = {m.measure: m for m in measures}
    assert by_name["users"].count == 350_004 and by_name["users"].freshness is Freshness.SUM
    assert by_name["role: agent"].freshness is Freshness.DAILY  # above 100,000
    assert by_name["role: end-user"].freshness is Freshness.CURRENT  # exactly 100,000: not above
    assert (
        by_name["role: light agent"].count == 3000
        and "permission_set=7" in by_name["role: light agent"].request
    )
    assert by_name["custom role: Billing"].count == 12
    assert by_name["suspended"].count == 41 and by_name["suspended"].freshness is Freshness.SEARCH_INDEX


def test_a_count_being_refreshed_is_labelled_capped():
    handler, _ = zendesk(refreshing=True)
    measures, _ = count_census(make_client(handler))
    assert {m.measure: m.freshness for m in measures}["role: agent"] is Freshness.REFRESHING


@pytest.mark.parametrize("status", [403, 404])
def test_without_custom_roles_the_census_says_what_it_could_not_count(status):
    handler, sent = zendesk(custom_roles=status)
    measures, notes = count_census(make_client(handler))
    assert "light agent" not in {m.measure for m in measures} and len(sent) == 5
    assert notes and "Enterprise" in notes[0] and f"({status})" in notes[0]


def test_the_export_estimate_and_a_detail_zendesk_lacks():
    assert "about 1,000 requests, at least 100 minutes" in export_estimate(1_000_000)
    with pytest.raises(ValueError, match="detail='rows' is not one of 'counts', 'staff', 'everyone'"):
        Detail.parse("rows")


def test_count_of_reads_a_null_refreshed_at_as_a_refresh_under_way():
    """users.count_of keeps Zendesk's null `refreshed_at` (OAS CountUsers, Note) and the census labels
    the number capped, in the table a notebook shows."""
    handler, sent = zendesk(refreshing=True)
    client = make_client(handler)
    count = client.users.count_of(roles=("agent",))
    assert count.value == 250_000 and count.refreshed_at is None
    assert Freshness.of(count) is Freshness.REFRESHING and sent == ["/api/v2/users/count?role=agent"]
    table = measures_table(count_census(client)[0]).set_index("measure")
    assert table.loc["role: agent", "freshness"] == "capped at 100,000 while Zendesk refreshes it"
    assert table.loc["role: agent", "refreshed at"] == ""
