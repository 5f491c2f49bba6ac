"""The campaign's GitLab side (CampaignGitLab) against the sandbox's look-alike over real HTTP; every final
state is read back through GitLab's API with python-gitlab, not through zdlib."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import gitlab
import pytest

from tests.approval.support import PROJECT, gitlab_faults, issue_url
from tests.campaign.test_checklist import HOSTILE, assert_inert, report, token
from zdlib.approval.errors import SourceError
from zdlib.approval.gitlab_source import gitlab_settings
from zdlib.approval.policy import load_policy
from zdlib.campaign import checklist
from zdlib.runbook import campaign as cp
from zdlib.runbook.campaign_gitlab import CampaignGitLab
from zdlib.sandbox.gitlab.seed import CAMPAIGN_IID, FILED_DAYS_AGO, REVIEW_NOTE, TOKEN_REQUEST_OWNERS
from zdlib.sandbox.seed import API_TOKENS

CAMPAIGN = issue_url(CAMPAIGN_IID)
NOW = datetime(2026, 12, 4, tzinfo=UTC)


@pytest.fixture
def cg(fresh_sandbox) -> CampaignGitLab:
    policy = load_policy("zdlib/sandbox/gitlab/approval-policy.yaml")
    return CampaignGitLab(gitlab_settings(fresh_sandbox.env), policy)


def read_notes(sandbox, iid: int) -> list:
    """The issue's notes as GitLab shows them (the seeded reviews left out), oldest first."""
    gl = gitlab.Gitlab(
        sandbox.env["GITLAB_URL"], private_token=sandbox.env["GITLAB_TOKEN"], keep_base_url=True
    )
    found = gl.projects.get(PROJECT, lazy=True).issues.get(iid, lazy=True).notes.list(get_all=True)
    return sorted((n for n in found if n.body != REVIEW_NOTE), key=lambda n: n.id)


def issue_created(sandbox, iid: int) -> datetime:
    gl = gitlab.Gitlab(
        sandbox.env["GITLAB_URL"], private_token=sandbox.env["GITLAB_TOKEN"], keep_base_url=True
    )
    created = gl.projects.get(PROJECT, lazy=True).issues.get(iid).created_at
    return datetime.fromisoformat(created.replace("Z", "+00:00"))


def test_an_access_request_names_its_owner(cg, fresh_sandbox):
    found = cg.access_request(issue_url(102), NOW)
    assert found is not None
    assert (found.url, found.owner, found.retired_at) == (issue_url(102), "bob.builder", None)
    assert found.resolved_at == issue_created(fresh_sandbox, 102)
    assert cg.access_request(issue_url(102), NOW) == found  # a re-run reads the same evidence


def test_retired_is_the_owners_newest_reply_and_nobody_elses(cg, fresh_sandbox):
    control = fresh_sandbox.control
    control.change_issue(102, {"note": "Campaign: Retired\nthe export stopped", "by": "bob.builder",
                               "seconds_ago": 600})  # fmt: skip
    control.change_issue(102, {"note": "campaign: retired", "by": "bob.builder", "seconds_ago": 60})
    control.change_issue(102, {"note": "campaign: retired", "by": "alan.agent"})  # not the owner
    control.change_issue(102, {"note": "thanks\ncampaign: retired", "by": "bob.builder"})  # not first line
    newest_by_owner = [n for n in read_notes(fresh_sandbox, 102) if n.author["username"] == "bob.builder"][1]
    found = cg.access_request(issue_url(102), NOW)
    assert found.retired_at == datetime.fromisoformat(newest_by_owner.created_at.replace("Z", "+00:00"))
    assert cg.access_request(issue_url(104), NOW).retired_at is None


@pytest.mark.parametrize(
    "url",
    [
        issue_url(9999),  # GitLab: 404
        "not a URL",
        "https://gitlab.com/someone-else/project/-/issues/102",  # outside the policy's projects
        "https://evil.example/gitlab-com/team-member-epics/access-requests/-/issues/102",  # another host
    ],
)
def test_a_request_that_does_not_resolve_is_none(cg, url):
    assert cg.access_request(url, NOW) is None
    assert cg.reminders(url) == ()


def test_without_a_policy_an_unknown_project_is_a_404_and_none(fresh_sandbox):
    cg = CampaignGitLab(gitlab_settings(fresh_sandbox.env))
    assert cg.access_request("https://gitlab.com/someone-else/project/-/issues/102", NOW) is None


def test_other_gitlab_errors_raise_in_gitlabs_words(cg, fresh_sandbox):
    gitlab_faults(fresh_sandbox, status=503)
    with pytest.raises(SourceError, match="503"):
        cg.access_request(issue_url(102), NOW)
    with pytest.raises(SourceError, match="503"):
        cg.reminders(issue_url(102))


def test_reminders_are_ours_with_the_record_they_name(cg, fresh_sandbox):
    url = issue_url(102)
    assert cg.reminders(url) == () and cg.last_reminder_at(url) is None
    body = checklist.reminder_body("bob.builder", [token(2)], "20261204-migrate.html")
    note_id = cg.post_reminder(url, body)
    fresh_sandbox.control.change_issue(102, {"note": body, "by": "bob.builder"})  # a copy by someone else
    unnamed = cg.post_reminder(url, checklist.reminder_body("bob.builder", [token(2)], None))
    found = cg.reminders(url)
    assert [r.record for r in found] == ["20261204-migrate.html", f"{url}#note_{unnamed}"]
    posted = {n.id: n for n in read_notes(fresh_sandbox, 102)}
    assert posted[note_id].body == body and posted[note_id].author["username"] == "ada.admin"
    assert cg.last_reminder_at(url) == found[-1].at
    with pytest.raises(ValueError, match="REMINDER_MARKER"):
        cg.post_reminder(url, "hello")


def test_owners_acknowledged_on_the_campaign_issue(cg, fresh_sandbox):
    control = fresh_sandbox.control
    control.change_issue(CAMPAIGN_IID, {"note": "campaign: owner of API token 3", "by": "bob.builder",
                                        "seconds_ago": 60})  # fmt: skip
    control.change_issue(
        CAMPAIGN_IID, {"note": "Campaign: Owner of API token 8\nthe Slack bot", "by": "grace.owner"}
    )
    control.change_issue(CAMPAIGN_IID, {"note": "campaign: owner of API token 3", "by": "dana.data"})
    control.change_issue(CAMPAIGN_IID, {"note": "me too: campaign: owner of API token 5", "by": "alan.agent"})
    owners = cg.acknowledged_owners(CAMPAIGN)
    assert {token: said.owner for token, said in owners.items()} == {3: "dana.data", 8: "grace.owner"}
    assert all(said.url.startswith(CAMPAIGN + "#note_") and said.resolved_at for said in owners.values())


def test_the_checklist_is_created_then_edited_in_place(cg, fresh_sandbox):
    first = checklist.render(report(token(2)))
    note_id, changed = cg.upsert_checklist(CAMPAIGN, first)
    assert changed
    assert [(n.id, n.body) for n in read_notes(fresh_sandbox, CAMPAIGN_IID)] == [(note_id, first)]

    gitlab_faults(fresh_sandbox, status=500, methods=["PUT", "POST"])  # any write would fail now
    assert cg.upsert_checklist(CAMPAIGN, first) == (note_id, False)
    gitlab_faults(fresh_sandbox)

    fresh_sandbox.control.set_clock(advance_days=1)
    second = checklist.render(report(token(2, "switched")))
    assert cg.upsert_checklist(CAMPAIGN, second) == (note_id, True)
    (note,) = read_notes(fresh_sandbox, CAMPAIGN_IID)
    assert (note.id, note.body) == (note_id, second) and note.updated_at > note.created_at
    assert cg.checklist_note(CAMPAIGN) == (note_id, second)


def test_a_checklist_note_by_someone_else_is_never_edited(cg, fresh_sandbox):
    theirs = checklist.render(report(token(9)))
    fresh_sandbox.control.change_issue(CAMPAIGN_IID, {"note": theirs, "by": "bob.builder"})
    assert cg.checklist_note(CAMPAIGN) is None
    ours = checklist.render(report(token(2)))
    note_id, changed = cg.upsert_checklist(CAMPAIGN, ours)
    notes = read_notes(fresh_sandbox, CAMPAIGN_IID)
    assert changed and [(n.author["username"], n.body) for n in notes] == [
        ("bob.builder", theirs),
        ("ada.admin", ours),
    ]
    assert notes[1].id == note_id
    with pytest.raises(ValueError, match="CHECKLIST_MARKER"):
        cg.upsert_checklist(CAMPAIGN, "not ours")


def test_a_hostile_description_is_inert_on_gitlab(cg, fresh_sandbox):
    hostile = token(2, description=HOSTILE, owner=HOSTILE, next={"who": "owner", "what": HOSTILE})
    cg.upsert_checklist(CAMPAIGN, checklist.render(report(hostile)))
    cg.post_reminder(issue_url(102), checklist.reminder_body(HOSTILE, [hostile], HOSTILE))
    (note,) = read_notes(fresh_sandbox, CAMPAIGN_IID)
    (reminder,) = read_notes(fresh_sandbox, 102)
    for body in (note.body, reminder.body):
        assert_inert(body)
    shown = re.sub(r"\r\n|[\r\n\u2028\x0b]", " ", HOSTILE)  # one line, as the code span shows it
    assert cg.reminders(issue_url(102))[0].record == shown


def test_every_seeded_token_description_resolves_to_its_owner(cg):
    """The sandbox's API tokens, as migrate_api_tokens reads them (campaign.request_url_in)."""
    owners = {}
    for seeded in API_TOKENS:
        url = cp.request_url_in(seeded.description)
        found = cg.access_request(url, NOW) if url else None
        if found:
            owners[seeded.id] = found.owner
    expected = {iid % 100: owner for iid, owner in TOKEN_REQUEST_OWNERS.items()}  # #102 -> API token 2
    assert owners == expected


def test_the_runbooks_planned_writes_go_through_campaign_gitlab(cg, fresh_sandbox):
    """campaign_writes.plan_writes with this class: a checklist and a reminder, then a re-run plans no-ops."""
    from zdlib.runbook.campaign_writes import plan_writes

    now = issue_created(fresh_sandbox, 4242) + timedelta(days=FILED_DAYS_AGO)  # the sandbox's clock
    done = report(token(2, access_request=issue_url(102)), as_of=now.isoformat())
    writes = plan_writes(cg, CAMPAIGN, done, now)
    assert [c.object for c in writes.changes] == ["campaign_checklist", "campaign_reminder"]
    for change in writes.changes:
        writes.send(change)
        assert writes.read_back(change) == change.after
    again = plan_writes(cg, CAMPAIGN, done, now)
    assert [(c.object, c.before == c.after) for c in again.changes] == [("campaign_checklist", True)]
    assert len(read_notes(fresh_sandbox, CAMPAIGN_IID)) == 1 and len(read_notes(fresh_sandbox, 102)) == 1


def test_one_reading_asks_gitlab_about_each_issue_once_and_a_write_reads_afresh(cg, fresh_sandbox):
    """A campaign's reads (gather, then the plan) cost one GET per issue and one per issue's notes, however
    many tokens and questions share them; after our own write the next read is fresh."""
    from collections import Counter
    from urllib.parse import urlsplit

    from tests.runbooks.support import api
    from zdlib.campaign import report as campaign_report
    from zdlib.campaign.states import Policy
    from zdlib.runbook.campaign_writes import plan_writes

    asked: Counter = Counter()
    cg.gl.session.hooks["response"].append(
        lambda r, *args, **kwargs: asked.update([(r.request.method, urlsplit(r.request.url).path)])
    )
    listed = cp.listed_tokens(api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"])
    sources = cp.Sources(listed, (), (), cg, CAMPAIGN)
    now = issue_created(fresh_sandbox, 4242) + timedelta(days=FILED_DAYS_AGO)
    report = campaign_report.build(cp.standings(cp.gather(sources, now), now, Policy(), {}), now)
    writes = plan_writes(cg, CAMPAIGN, report, now)
    assert {c.object for c in writes.changes} >= {"campaign_checklist", "campaign_reminder"}
    requests = len(TOKEN_REQUEST_OWNERS)  # the access requests the seeded descriptions name
    gets = [path for (method, path), n in asked.items() for _ in range(n) if method == "GET"]
    assert len(gets) == len(set(gets)), Counter(gets).most_common(3)  # nothing read twice
    assert sum(p.endswith("/notes") for p in gets) == requests + 1  # each request's notes, the campaign's

    asked.clear()
    checklist_change = writes.changes[0]
    writes.send(checklist_change)
    assert writes.read_back(checklist_change) == checklist_change.after  # read afresh, not the kept notes
    assert writes.moved_since_plan(checklist_change) is not None  # GitLab now shows the new checklist
