"""The API-token campaign end to end on the sandbox (issue 23, "Done when"): tokens move through the states
by runbook runs and clock advances; each transition is proven by what Zendesk's API and GitLab show, read
here directly (never by what a runbook printed), and evidenced by a record.

Zendesk's rules the sandbox plays: shared/reference/zendesk-2026-12-updates.md section 2 row 1 (DOC [ZD-MIG]):
a token unused for 30 days is deactivated, deleted 60 days later; every API token stops on 2027-04-30.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.runbooks.support import APPLY, api, run, run_on
from zdlib.campaign import checklist
from zdlib.campaign.checklist import OWNERS_MARKER, is_reminder
from zdlib.record.layout import read_index
from zdlib.runner import campaign_cli
from zdlib.runner.run import RunResult
from zdlib.sandbox import seed as S
from zdlib.sandbox.gitlab import seed as G

pytestmark = pytest.mark.e2e

CAMPAIGN_ISSUE = f"{G.WEB_HOST}/{G.PROJECT_PATH}/-/issues/{G.CAMPAIGN_IID}"
MIGRATION = {  # the approved request for the OAuth client replacing API token 2 (gitlab/seed.py #4251)
    "access_request_url": f"{G.WEB_HOST}/{G.PROJECT_PATH}/-/issues/{G.MIGRATION_IID}",
    "requester_email": S.AGENT_EMAIL,
    "approved_by": "maria.manager",
    "dry_run": False,
}
REPORTING, ZAPIER = S.CONSUMERS  # token 2 will switch; token 3's consumer keeps its API token


def campaign(sandbox: Any, records: Path, **parameters: Any) -> tuple[RunResult, dict[str, Any]]:
    """One migrate_api_tokens run and the report it kept next to its record."""
    result = run(sandbox, records, "migrate_api_tokens", **parameters)
    assert result.outcome in ("no-op", "applied"), result.reason
    kept = [p for p in result.side_files if p.name.endswith(".campaign.json")]
    assert len(kept) == 1, result.side_files
    return result, json.loads(kept[0].read_text())


def states(report: dict[str, Any]) -> dict[int, str]:
    return {t["id"]: t["state"] for t in report["tokens"]}


def listed(sandbox: Any) -> dict[int, dict[str, Any]]:
    """The API tokens as Zendesk's API lists them now (the proof, read outside the runbook)."""
    return {t["id"]: t for t in api(sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]}


def oauth_used_at(sandbox: Any, client_id: int) -> list[str | None]:
    answer = api(sandbox, "GET", "/api/v2/oauth/tokens", params={"all": "true", "client_id": client_id})
    return [t["used_at"] for t in answer.json()["tokens"]]


def test_tokens_move_through_the_campaign_by_runs_and_the_clock(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    control = fresh_sandbox.control

    _, start = campaign(fresh_sandbox, records)
    first = states(start)
    assert first[2] == "owner_known" and first[3] == "inventoried", first
    assert {first[4], first[5], first[6]} == {"auto_deactivated"}, first
    now = listed(fresh_sandbox)
    assert not now[4]["active"] and now[2]["active"] and now[3]["active"]
    token4 = next(t for t in start["tokens"] if t["id"] == 4)
    assert token4["purge_on"] is not None and token4["purge_on"] > start["as_of"][:10]

    clients = api(fresh_sandbox, "GET", "/api/v2/oauth/clients").json()["clients"]
    unknown = run(fresh_sandbox, records, "create_token", replaces_api_token=99, **MIGRATION)
    assert unknown.outcome == "refused" and "replaces_api_token=99" in unknown.reason
    assert api(fresh_sandbox, "GET", "/api/v2/oauth/clients").json()["clients"] == clients  # nothing created
    issued = run(
        fresh_sandbox, records, "create_token", replaces_api_token=2, deliver="integration", **MIGRATION
    )
    assert issued.outcome == "applied", issued.reason
    [line] = [e for e in read_index(records) if e["name"] == issued.name]
    assert line["parameters"]["replaces_api_token"] == 2
    assert "replaces API token 2" in next(c["note"] for c in line["changes"] if c["object"] == "oauth_client")
    client_id = next(c["id"] for c in issued.summary["changes"] if c["object"] == "oauth_client")
    _, after_issue = campaign(fresh_sandbox, records)
    assert states(after_issue)[2] == "oauth_issued"
    assert issued.name in {f["record"] for t in after_issue["tokens"] if t["id"] == 2 for f in t["evidence"]}

    control.consumer(REPORTING.name, "switch", client_id=client_id)  # the owner moves the consumer
    control.set_clock(advance_days=3)
    _, soaking = campaign(fresh_sandbox, records)
    assert states(soaking)[2] == "oauth_issued", "switched only after the soak window"
    assert any(oauth_used_at(fresh_sandbox, client_id))

    control.set_clock(advance_days=5)
    _, soaked = campaign(fresh_sandbox, records)
    tokens = listed(fresh_sandbox)
    assert states(soaked)[2] == "switched", soaked
    assert states(soaked)[3] != "switched"  # zapier-sync still calls with its API token
    assert tokens[3]["last_used"] > soaked["as_of"][:10]  # moved within the last day: proof it is in use
    assert states(soaked)[8] == "auto_deactivated" and not tokens[8]["active"]  # the 30-day rule

    waiting = run(fresh_sandbox, records, "revoke_token", token_id=2, **APPLY)
    assert waiting.outcome == "waiting", waiting.reason
    control.admin_center_api_token(2, "deactivate")  # the person in Admin Center
    verified = run(fresh_sandbox, records, "revoke_token", token_id=2, **APPLY)
    assert verified.outcome == "applied", verified.reason
    assert listed(fresh_sandbox)[2]["active"] is False
    _, deactivated = campaign(fresh_sandbox, records)
    assert states(deactivated)[2] == "deactivated"

    control.set_clock(advance_days=15)
    _, quiet = campaign(fresh_sandbox, records)
    assert states(quiet)[2] == "done"


def test_the_checklist_matches_zdlib_campaign_and_a_rerun_changes_nothing(fresh_sandbox, tmp_path, capsys):
    records = tmp_path / "records"
    applied = {"campaign_issue": CAMPAIGN_ISSUE, "dry_run": False, "approved_by": "maria.manager"}
    first, report = campaign(fresh_sandbox, records, **applied)
    assert first.outcome == "applied", first.reason
    notes = gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID)
    ours = [n for n in notes if n["body"].startswith("**API-token retirement campaign**")]
    assert len(ours) == 1
    capsys.readouterr()
    assert campaign_cli.main(["--json", "--records", str(records)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == report and printed["record"] == first.name
    for token in printed["tokens"]:
        line = next(x for x in ours[0]["body"].splitlines() if f"API token `{token['id']}`" in x)
        assert f": `{token['state']}` since" in line and f"`{token['next']['what']}`" in line
    reminded = {n["body"].split("\n", 1)[0] for i in (104, 106, 107) for n in gitlab_notes(fresh_sandbox, i)}
    assert "**API-token retirement reminder**" in " ".join(reminded)

    again, _ = campaign(fresh_sandbox, records, **applied)
    assert again.outcome == "no-op", again.reason
    assert gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID) == notes  # nothing edited, nothing posted
    assert campaign_cli.main(["--records", str(records)]) == 0
    table = capsys.readouterr().out
    assert f"from record {again.name}" in table and "owner_known" in table and "days left" in table

    kept = next(p for p in again.side_files if p.name.endswith(".campaign.json"))
    kept.chmod(0o600)
    kept.write_text(kept.read_text().replace("owner_known", "done"))
    assert campaign_cli.main(["--records", str(records)]) == 1
    assert "does not verify" in capsys.readouterr().err


def test_zdlib_campaign_without_a_campaign_record_says_what_to_run(tmp_path, capsys):
    assert campaign_cli.main(["--records", str(tmp_path)]) == 1
    assert "run `zdlib run migrate_api_tokens`" in capsys.readouterr().err


def gitlab_notes(sandbox: Any, iid: int) -> list[dict[str, Any]]:
    """The notes of an issue, read from the GitLab look-alike's API."""
    env = sandbox.env
    answer = httpx.get(
        f"{env['GITLAB_URL']}/api/v4/projects/{G.PROJECT_ID}/issues/{iid}/notes",
        headers={"PRIVATE-TOKEN": env["GITLAB_TOKEN"]},
        params={"per_page": 100},
        verify=sandbox.ca_file or True,
    )
    answer.raise_for_status()
    return answer.json()


def test_side_states_orphan_retired_and_rolled_back_come_from_runs_notes_and_the_clock(
    fresh_sandbox, tmp_path
):
    """Nobody claims token 3 after three weekly asks on the campaign issue: `orphan`. Token 1's owner says its
    consumer is gone (a `campaign: retired` note on #101, by the owner): `retired`. Token 2 deactivated
    (verified by revoke_token) then reactivated in Admin Center after breakage: `rolled_back`."""
    records = tmp_path / "records"
    control = fresh_sandbox.control
    applied = {"campaign_issue": CAMPAIGN_ISSUE, "dry_run": False, "approved_by": "maria.manager"}
    for week in range(3):
        result, report = campaign(fresh_sandbox, records, **applied)
        assert states(report)[3] == "inventoried", (week, result.reason)
        assert "campaign_owners_wanted" in {c["object"] for c in result.summary["changes"]}
        control.set_clock(advance_days=7)
    asks = [
        n
        for n in gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID)
        if n["body"].startswith("**API-token retirement: owners")
    ]
    assert len(asks) == 3 and all("API token `3`" in n["body"] for n in asks)

    post_note(fresh_sandbox, 101, "campaign: retired\nThe Support Ops scripts moved to OAuth last month.")
    assert run(fresh_sandbox, records, "revoke_token", token_id=2, **APPLY).outcome == "waiting"
    control.admin_center_api_token(2, "deactivate")
    assert run(fresh_sandbox, records, "revoke_token", token_id=2, **APPLY).outcome == "applied"
    control.admin_center_api_token(2, "reactivate")  # the consumer broke: rolled back in Admin Center
    assert listed(fresh_sandbox)[2]["active"] is True

    _, later = campaign(fresh_sandbox, records, **applied)
    got = states(later)
    assert (got[1], got[2], got[3]) == ("retired", "rolled_back", "orphan"), got
    orphan = next(t for t in later["tokens"] if t["id"] == 3)
    asked_third = datetime.fromisoformat(asks[2]["created_at"].replace("Z", "+00:00")).replace(microsecond=0)
    assert datetime.fromisoformat(orphan["since"].replace("Z", "+00:00")) == asked_third  # the third ask
    assert orphan["next"]["who"] == "admin"


def post_note(sandbox: Any, iid: int, body: str) -> None:
    """A note on an issue of the look-alike (its API authors every note as the operator, ada.admin)."""
    env = sandbox.env
    answer = httpx.post(
        f"{env['GITLAB_URL']}/api/v4/projects/{G.PROJECT_ID}/issues/{iid}/notes",
        headers={"PRIVATE-TOKEN": env["GITLAB_TOKEN"]},
        json={"body": body},
        verify=sandbox.ca_file or True,
    )
    answer.raise_for_status()


@pytest.mark.parametrize(
    ("campaign_issue", "env", "said"),
    [
        ("not a url", {}, "campaign_issue:"),
        (CAMPAIGN_ISSUE, {"GITLAB_URL": "", "GITLAB_TOKEN": ""}, "GitLab is not configured"),
        ("", {}, "consumer_soak_days"),
    ],
)
def test_bad_campaign_input_is_refused_and_writes_nothing(fresh_sandbox, tmp_path, campaign_issue, env, said):
    parameters = {"campaign_issue": campaign_issue, "dry_run": False, "approved_by": "maria.manager"}
    if not campaign_issue:
        parameters["consumer_soak_days"] = "3=35"
    before = gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID)
    result = run_on(fresh_sandbox, tmp_path, "migrate_api_tokens", parameters, ZENDESK_AUTH="oauth", **env)
    assert result.outcome == "refused" and said in result.reason, result.reason
    assert gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID) == before


def test_an_ask_another_run_posted_between_the_plan_and_the_write_stops_the_write(fresh_sandbox, tmp_path):
    """Two campaign runs at once: the other run's owners-wanted note lands on the campaign issue after this
    run planned its own (armed to appear at the approval's second read, right before the first write). The
    ask is not posted twice, no reminder goes out after it, and the run says why."""
    other_ask = f"{OWNERS_MARKER}\n\n- API token `3`: who owns it?"
    fresh_sandbox.control.change_issue(G.CAMPAIGN_IID, {"note": other_ask, "by": "ada.admin"}, after_reads=1)
    applied = {"campaign_issue": CAMPAIGN_ISSUE, "dry_run": False, "approved_by": "maria.manager"}
    result = run(fresh_sandbox, tmp_path / "records", "migrate_api_tokens", **applied)
    assert result.outcome == "refused", result.reason
    assert "campaign_owners_wanted" in result.reason and "was not sent: GitLab, read again" in result.reason
    assert "Already sent in this run: campaign_checklist" in result.reason
    asks = [n for n in gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID) if n["body"].startswith(OWNERS_MARKER)]
    assert [n["body"] for n in asks] == [other_ask]  # only the other run's
    reminders = [n for i in (104, 106, 107) for n in gitlab_notes(fresh_sandbox, i) if is_reminder(n["body"])]
    assert reminders == []  # none after the stop
    statuses = {c["object"]: c["status"] for c in result.summary["changes"]}
    assert statuses["campaign_owners_wanted"] == "pending" and statuses["campaign_reminder"] == "pending"


def test_a_checklist_another_run_wrote_during_the_approval_reread_is_edited_not_duplicated(
    fresh_sandbox, tmp_path
):
    """Another run's checklist note lands while this run reads the approval again (right before its write):
    the write decides create-or-edit from GitLab as it is then, so the one checklist note is edited in place
    (found by the review of this change: a kept reading created a second note and failed verification)."""
    other = f"{checklist.CHECKLIST_MARKER}\n\nanother run's checklist\n"
    fresh_sandbox.control.change_issue(G.CAMPAIGN_IID, {"note": other, "by": "ada.admin"}, after_reads=1)
    applied = {"campaign_issue": CAMPAIGN_ISSUE, "dry_run": False, "approved_by": "maria.manager",
               "post_reminders": False}  # fmt: skip
    result = run(fresh_sandbox, tmp_path / "records", "migrate_api_tokens", **applied)
    kept = [n for n in gitlab_notes(fresh_sandbox, G.CAMPAIGN_IID) if checklist.is_ours(n["body"])]
    assert len(kept) == 1, (result.outcome, result.reason, [n["body"][:70] for n in kept])
    assert result.outcome == "applied", result.reason
    assert kept[0]["body"] != other  # edited in place to this run's checklist
