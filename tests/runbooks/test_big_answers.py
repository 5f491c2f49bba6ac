"""A huge answer is shown by its start, size and sha256; the snapshot keeps it whole (issue 19; security
re-test 2026-12-04 L2: a 200 MB automation was copied into the notebook, its HTML and the snapshot)."""

from __future__ import annotations

import json

from tests.runbooks.support import APPLY, api, run
from zdlib.sandbox.gitlab.seed import TARGETS_DESCRIPTION

TITLE = "Close solved tickets " + "x" * 3_000_000  # 3 MB


def huge_automation(sandbox) -> int:
    body = {
        "automation": {
            "title": TITLE,
            "active": True,
            "conditions": {
                "all": [
                    {"field": "status", "operator": "is", "value": "solved"},
                    {"field": "SOLVED", "operator": "greater_than", "value": "1"},
                ],
                "any": [],
            },
            "actions": [{"field": "status", "value": "closed"}],
        }
    }
    created = api(sandbox, "POST", "/api/v2/automations", json=body)
    assert created.status_code == 201
    return created.json()["automation"]["id"]


def test_a_huge_automation_is_summarised_in_the_record_and_kept_whole_in_the_snapshot(
    fresh_sandbox, tmp_path
):
    automation_id = huge_automation(fresh_sandbox)
    fresh_sandbox.control.change_issue(  # the request names it, so the change is authorised
        4242, {"description": f"{TARGETS_DESCRIPTION}\n- [ ] deactivate automation {automation_id}"}
    )
    result = run(fresh_sandbox, tmp_path, "deactivate_automation", automation_id=automation_id, **APPLY)
    assert result.outcome == "applied", result.reason
    assert (
        api(fresh_sandbox, "GET", f"/api/v2/automations/{automation_id}").json()["automation"]["active"]
        is False
    )
    for record in (result.ipynb, result.html):
        # the page's own styles are about 0.3 MB; the 3 MB title is not in it, once or thrice
        assert record.stat().st_size < len(TITLE) // 5, (record.name, record.stat().st_size)
        assert "characters in all, sha256" in record.read_text()
    snapshot = next(p for p in result.side_files if ".snapshot-automation-" in p.name)
    saved = json.loads(snapshot.read_text())
    assert saved.get("automation", saved)["title"] == TITLE  # the restore source is whole
