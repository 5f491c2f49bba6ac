"""The GitLab look-alike's campaign additions: the API tokens' access requests, the campaign issue, and
GitLab's "Get single issue note" / "Modify existing issue note" (real HTTP, GitLab's shapes)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.approval.support import OPERATOR
from tests.sandbox.support import client
from zdlib.runbook.approval import check_approval
from zdlib.sandbox.gitlab import seed as G
from zdlib.sandbox.seed import API_TOKENS, access_request_url
from zdlib.sandbox.server import SandboxServer

PROJECT = quote(G.PROJECT_PATH, safe="")


@pytest.fixture
def gl(fresh_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """An httpx client on the look-alike's project issues (API v4), as the operator's token."""
    with client(fresh_sandbox, headers={"PRIVATE-TOKEN": fresh_sandbox.env["GITLAB_TOKEN"]}) as http:
        http.base_url = f"{fresh_sandbox.env['GITLAB_URL']}/api/v4/projects/{PROJECT}/issues"
        yield http


@pytest.mark.parametrize(("iid", "owner"), sorted(G.TOKEN_REQUEST_OWNERS.items()))
def test_each_api_token_description_names_a_seeded_request_filed_by_its_owner(gl, iid, owner):
    issue = gl.get(f"/{iid}").json()
    url = access_request_url(iid)
    token = next(t for t in API_TOKENS if url in t.description)
    assert issue["web_url"] == url
    assert issue["author"]["username"] == owner
    assert token.description.replace(url, "").strip() in issue["title"]
    assert G.APPROVED in issue["labels"]


def test_bob_builder_filed_the_reporting_export_request_before_its_token(gl, fresh_sandbox):
    issue = gl.get("/102").json()
    assert issue["author"]["username"] == "bob.builder"
    assert "Reporting export" in issue["title"]
    assert issue["state"] == "closed" and issue["created_at"] < issue["closed_at"]
    with client(fresh_sandbox) as zendesk:
        tokens = zendesk.get("/api/v2/api_tokens").json()["api_tokens"]
    token = next(t for t in tokens if t["id"] == 2)
    assert issue["created_at"][:10] < token["created_at"][:10]


def test_the_campaign_issue_is_approved_like_4242(gl):
    issue, model = gl.get(f"/{G.CAMPAIGN_IID}").json(), gl.get("/4242").json()
    assert issue["title"] == G.CAMPAIGN_TITLE
    assert "API-token retirement campaign" in issue["description"]
    assert issue["labels"] == model["labels"] and issue["state"] == "opened"
    events = gl.get(f"/{G.CAMPAIGN_IID}/resource_label_events").json()
    added = [e for e in events if e["label"]["name"] == G.APPROVED and e["action"] == "add"]
    assert [e["user"]["username"] for e in added] == ["maria.manager"]
    notes = gl.get(f"/{G.CAMPAIGN_IID}/notes").json()
    assert [n["body"] for n in notes] == [G.REVIEW_NOTE, G.REVIEW_NOTE]


def test_the_earlier_issues_keep_their_titles(gl):
    assert gl.get("/4242").json()["title"].endswith("(request 1)")
    assert gl.get("/4249").json()["title"].endswith("(request 8)")


def test_a_note_is_read_and_modified_by_its_author(gl, fresh_sandbox):
    posted = gl.post("/4250/notes", json={"body": "first"}).json()
    fresh_sandbox.control.set_clock(advance_days=1)
    edited = gl.put(f"/4250/notes/{posted['id']}", json={"body": "second"})
    assert edited.status_code == 200
    assert edited.json()["body"] == "second"
    assert edited.json()["updated_at"] > edited.json()["created_at"] == posted["created_at"]
    read = gl.get(f"/4250/notes/{posted['id']}").json()
    assert read == edited.json()
    assert [n["id"] for n in gl.get("/4250/notes").json()].count(posted["id"]) == 1


def test_only_the_author_may_modify_a_note(gl, fresh_sandbox):
    fresh_sandbox.control.change_issue(4250, {"note": "theirs", "by": "bob.builder"})
    theirs = gl.get("/4250/notes").json()[-1]
    refused = gl.put(f"/4250/notes/{theirs['id']}", json={"body": "mine now"})
    assert refused.status_code == 403
    assert refused.json() == {"message": "403 Forbidden"}
    assert gl.get(f"/4250/notes/{theirs['id']}").json()["body"] == "theirs"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/4250/notes/1", None, 404),
        ("PUT", "/4250/notes/1", {"body": "x"}, 404),
        ("DELETE", "/4250/notes/{id}", None, 405),
        ("PUT", "/4250/notes/{id}", {"body": " "}, 400),
    ],
)
def test_note_errors_are_gitlabs(gl, method, path, body, status):
    posted = gl.post("/4250/notes", json={"body": "ours"}).json()
    answer = gl.request(method, path.format(id=posted["id"]), json=body)
    assert answer.status_code == status
    assert gl.get(f"/4250/notes/{posted['id']}").json()["body"] == "ours"


@pytest.mark.parametrize(
    ("targets", "bound"),
    [
        ((), True),  # the run's target is the campaign issue itself (gate.py: no targets to name)
        ((("API-token retirement campaign",),), True),
        ((("migrate_api_tokens",), ("campaign_checklist",), ("campaign_reminder",)), True),
        ((("automation 12345",),), False),
    ],
)
def test_an_approval_binds_to_the_campaign_issue(fresh_sandbox, targets, bound):
    evidence = check_approval(
        access_request_url(G.CAMPAIGN_IID),
        "maria.manager",
        operator=OPERATOR,
        instance_url=fresh_sandbox.url,
        environ=fresh_sandbox.env,
        runbook="migrate_api_tokens",
        targets=targets,
    )
    assert evidence.verified is bound, evidence.problems
