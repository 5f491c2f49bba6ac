"""A search matching more than 1,000 users stops at Zendesk's limit instead of failing (issue 10 item 5).

Evidence: zendesk-api.md §3 ("Search: max 1,000 results (10 pages of 100); `count` still reports the true
total; page 11 -> 422", from CSA-SURF §5.2 and the OAS SearchUsers); fidelity.md K1 (inspect_users followed
`next_page` to page 11 and failed with 422); runbooks.md promises "at most 1,000 results".
"""

from __future__ import annotations

from zdlib import Client
from zdlib.config import load_settings


def test_search_stops_at_1000_and_says_so(fresh_sandbox):
    with Client(load_settings(environ=fresh_sandbox.env)) as zd:
        users = zd.users.search("example.com")
        listed = list(users)
    assert len(listed) == 1000 and len({u["id"] for u in listed}) == 1000
    assert users.truncated and users.pages == 10 and users.count and users.count > 1000


def test_a_small_search_is_not_truncated(fresh_sandbox):
    with Client(load_settings(environ=fresh_sandbox.env)) as zd:
        users = zd.users.search("role:admin")
        listed = list(users)
    assert listed and not users.truncated
