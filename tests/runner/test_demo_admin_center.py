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
