"""The demo plan's Admin Center steps: the sandbox plays the person between two revoke_token runs."""

from __future__ import annotations

import pytest

from tests.runbooks.support import api
from zdlib.runner import demo


def test_admin_center_steps_are_parsed_and_checked(tmp_path):
    plan = tmp_path / "demo.yaml"
    plan.write_text("- admin_center: {api_token: 3, action: deactivate}\n- runbook: audit_credentials\n")
    person, audit = demo.load_plan(plan)
    assert person.admin_center == {"api_token": 3, "action": "deactivate"}
    assert person.expect == demo.ADMIN_CENTER_DONE and audit.admin_center is None
    plan.write_text("- admin_center: {api_token: 3, action: reactivate}\n")
    with pytest.raises(ValueError, match="deactivate"):
        demo.load_plan(plan)


def test_the_sandbox_plays_the_person(fresh_sandbox, tmp_path):
    plan = tmp_path / "demo.yaml"
    plan.write_text("- admin_center: {api_token: 3, action: deactivate}\n")
    [row] = demo.run_plan(demo.load_plan(plan), fresh_sandbox.env, tmp_path, tmp_path)
    assert row.as_expected, row.reason
    listed = {t["id"]: t for t in api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]}
    assert listed[3]["active"] is False


@pytest.mark.e2e  # demo.run_plan runs the notebook through the runner (zdlib code, out of e2e.py's sight)
def test_a_demo_run_lands_in_the_sandbox_records_project_and_names_its_page(fresh_sandbox, tmp_path):
    """`make demo` ends by printing the last record's URL in the look-alike's records project (issue 21)."""
    from pathlib import Path

    from tests.records.test_push import remote_index

    plan = tmp_path / "demo.yaml"
    plan.write_text("- runbook: inspect_users\n  parameters: {role: admin}\n  expect: no-op\n")
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    [row] = demo.run_plan(demo.load_plan(plan), fresh_sandbox.env, tmp_path / "records", notebooks)
    assert row.as_expected, row.reason
    [entry] = remote_index(fresh_sandbox)
    assert row.pushed_url.endswith(f"/zendesk-records/-/blob/main/{entry['records']['html']}")


def test_sandbox_steps_are_parsed_and_bad_ones_named(tmp_path):
    plan = tmp_path / "demo.yaml"
    plan.write_text(
        "- sandbox: {advance_days: 8}\n- sandbox: {consumer: reporting-export, switch_to: issued_client}\n"
    )
    clock, switch = demo.load_plan(plan)
    assert clock.sandbox == {"advance_days": 8} and switch.sandbox["consumer"] == "reporting-export"
    for bad in ("{advance_days: 0}", "{advance_days: 8, consumer: x}", "{consumer: x, switch_to: 2002}"):
        plan.write_text(f"- sandbox: {bad}\n")
        with pytest.raises(ValueError, match=r"advance_days: <1\.\.365>"):
            demo.load_plan(plan)


def test_the_sandbox_steps_move_the_clock_and_switch_a_consumer_to_the_issued_client(fresh_sandbox, tmp_path):
    plan = tmp_path / "demo.yaml"
    plan.write_text("- sandbox: {consumer: reporting-export, switch_to: issued_client}\n")
    [switch] = demo.load_plan(plan)
    refused = demo.play_sandbox(switch, fresh_sandbox.env, None)
    assert refused.outcome == "failed" and "create_token" in refused.reason
    before = fresh_sandbox.control.now()
    assert demo.play_sandbox(switch, fresh_sandbox.env, 2002).as_expected  # 2002 has a live token (seed)
    plan.write_text("- sandbox: {advance_days: 2}\n")
    [clock] = demo.load_plan(plan)
    row = demo.play_sandbox(clock, fresh_sandbox.env, None)
    assert row.as_expected and fresh_sandbox.control.now() > before
    consumers = fresh_sandbox.control._call("GET", "/sandbox/consumers")["consumers"]
    reporting = next(c for c in consumers if c["name"] == "reporting-export")
    assert reporting["mode"] == "oauth"
    used = api(fresh_sandbox, "GET", "/api/v2/oauth/tokens", params={"all": "true", "client_id": 2002}).json()
    assert any(t["used_at"] and t["used_at"] > before for t in used["tokens"])


def test_the_issued_client_is_read_from_a_create_token_summary():
    changes = [{"object": "oauth_client", "id": 100001, "status": "verified"}]
    assert demo.issued_client_of({"changes": changes}) == 100001
    assert demo.issued_client_of({"changes": [{**changes[0], "status": "planned", "id": "(new)"}]}) is None
    assert demo.issued_client_of(None) is None
