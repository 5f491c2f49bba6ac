"""The GitLab look-alike pages its listings as GitLab does (REST API docs, "Pagination": `page`, `per_page`
20 by default and at most 100, the `x-*` headers and a `Link` header), so code that reads only the first
page fails here as it would on GitLab, and python-gitlab's `get_all=True` is exercised across pages."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import gitlab
import httpx

from tests.sandbox.support import client
from zdlib.approval.gitlab_source import gitlab_settings
from zdlib.approval.policy import load_policy
from zdlib.campaign import checklist
from zdlib.runbook.campaign_gitlab import CampaignGitLab
from zdlib.sandbox.gitlab import seed as G

NOTES = f"/api/v4/projects/{quote(G.PROJECT_PATH, safe='')}/issues/102/notes"


def _post_notes(sandbox, http: httpx.Client, count: int) -> None:
    for n in range(count):
        http.post(sandbox.env["GITLAB_URL"] + NOTES, json={"body": f"note {n}"}).raise_for_status()


def test_notes_come_in_pages_of_20_with_gitlabs_headers_and_links(fresh_sandbox):
    with client(fresh_sandbox, headers={"PRIVATE-TOKEN": fresh_sandbox.env["GITLAB_TOKEN"]}) as http:
        _post_notes(fresh_sandbox, http, 45)
        url = fresh_sandbox.env["GITLAB_URL"] + NOTES
        first = http.get(url)
        total = int(first.headers["x-total"])
        assert total >= 45 and len(first.json()) == 20
        assert first.headers["x-page"] == "1" and first.headers["x-per-page"] == "20"
        assert first.headers["x-next-page"] == "2" and first.headers["x-prev-page"] == ""
        assert first.headers["x-total-pages"] == str(-(-total // 20))
        seen, page = list(first.json()), first
        while "next" in page.links:  # the Link header, followed as python-gitlab does
            page = http.get(page.links["next"]["url"])
            seen += page.json()
        assert len(seen) == total and len({n["id"] for n in seen}) == total
        assert page.headers["x-next-page"] == "" and 'rel="prev"' in page.headers["link"]
        assert len(http.get(url, params={"per_page": 500}).json()) == min(total, 100)  # at most 100
        assert http.get(url, params={"page": 99}).json() == []  # past the last page: empty
        assert len(http.get(url, params={"page": "x"}).json()) == 20  # not a number: the first page


def test_python_gitlab_reads_every_page_and_the_campaign_finds_a_reminder_on_the_last(fresh_sandbox):
    env = fresh_sandbox.env
    with client(fresh_sandbox, headers={"PRIVATE-TOKEN": env["GITLAB_TOKEN"]}) as http:
        _post_notes(fresh_sandbox, http, 41)
        reminder = f"{checklist.REMINDER_MARKER}\n\nstill on API token 2\n\n{checklist.RECORD_PREFIX}`r1`"
        http.post(env["GITLAB_URL"] + NOTES, json={"body": reminder}).raise_for_status()
    gl = gitlab.Gitlab(env["GITLAB_URL"], private_token=env["GITLAB_TOKEN"], keep_base_url=True)
    notes = gl.projects.get(G.PROJECT_PATH, lazy=True).issues.get(102, lazy=True).notes.list(get_all=True)
    assert len(notes) >= 42
    policy = load_policy("zdlib/sandbox/gitlab/approval-policy.yaml")
    campaign = CampaignGitLab(gitlab_settings(env), policy)
    url = f"{G.WEB_HOST}/{G.PROJECT_PATH}/-/issues/102"
    found = campaign.reminders(url)
    assert [r.record for r in found] == ["r1"]
    assert campaign.last_reminder_at(url) > datetime(2026, 1, 1, tzinfo=UTC)
