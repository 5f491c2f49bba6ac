"""Rollback only from what our records saved (issue 19; security re-test 2026-12-04 M6, first-use F1).

Runbooks run through the runner against the sandbox; what exists afterwards is read through the API."""

from __future__ import annotations

import json
import os
import stat

from tests.runbooks.support import APPLY, api, run

CRAFTED = {
    "automation": {
        "id": 12349,  # an automation the approved request names (the binding holds; the file is the issue)
        "title": "Crafted: close every ticket",
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


def titled(sandbox, title: str) -> list[dict]:
    automations = api(sandbox, "GET", "/api/v2/automations").json()["automations"]
    return [a for a in automations if a["title"] == title]


def delete_12349(sandbox, records):
    deleted = run(sandbox, records, "delete_automation", automation_id=12349, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    return deleted


def test_restore_from_the_record_by_runbook_and_target_checks_the_recorded_sha256(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    original = api(fresh_sandbox, "GET", "/api/v2/automations/12349").json()["automation"]
    deleted = delete_12349(fresh_sandbox, records)
    restored = run(
        fresh_sandbox, records, "restore_automation", from_record="delete_automation 12349", **APPLY
    )
    assert restored.outcome == "applied", restored.reason
    snapshot = restored.summary["facts"]["snapshot"]
    assert snapshot["record"] == deleted.name and snapshot["file"].endswith(".snapshot-automation-12349.json")
    assert snapshot["sha256"] == deleted.index_entry["hashes"][snapshot["file"]]
    assert len(titled(fresh_sandbox, original["title"])) == 1
    assert "NO record lists" not in restored.html.read_text()


def test_the_documented_relative_path_works_as_typed(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    deleted = delete_12349(fresh_sandbox, records)
    name = next(p.name for p in deleted.side_files if ".snapshot-automation-" in p.name)
    typed = (
        f"records/{name}"  # runbooks.md: `-p snapshot_path records/<record>.snapshot-automation-<id>.json`
    )
    restored = run(fresh_sandbox, records, "restore_automation", snapshot_path=typed, **APPLY)
    assert restored.outcome == "applied", restored.reason
    assert restored.summary["facts"]["snapshot"]["record"] == deleted.name


def test_a_file_no_record_lists_is_refused_unless_the_operator_says_so(fresh_sandbox, tmp_path):
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(CRAFTED))
    refused = run(
        fresh_sandbox, tmp_path / "records", "restore_automation", snapshot_path=str(crafted), **APPLY
    )
    assert refused.outcome == "refused", refused.reason
    assert "is listed in no record" in refused.reason and "unrecorded_snapshot=True" in refused.reason
    assert titled(fresh_sandbox, CRAFTED["automation"]["title"]) == []
    said = run(
        fresh_sandbox,
        tmp_path / "records",
        "restore_automation",
        snapshot_path=str(crafted),
        unrecorded_snapshot=True,
        **APPLY,
    )
    assert said.outcome == "applied", said.reason
    assert said.summary["facts"]["snapshot"]["record"] is None
    assert 'class="zd-alarm">Restored from a file that NO record lists' in said.html.read_text()
    assert len(titled(fresh_sandbox, CRAFTED["automation"]["title"])) == 1


def test_a_snapshot_edited_after_it_was_recorded_is_refused(fresh_sandbox, tmp_path):
    records = tmp_path / "records"
    deleted = delete_12349(fresh_sandbox, records)
    snapshot = next(p for p in deleted.side_files if ".snapshot-automation-" in p.name)
    os.chmod(snapshot, stat.S_IRUSR | stat.S_IWUSR)
    data = json.loads(snapshot.read_text())
    saved = data.get("automation", data)  # the snapshot is the object as GET returned it
    saved["actions"], saved["title"] = CRAFTED["automation"]["actions"], "Edited after the record"
    snapshot.write_text(json.dumps(data))
    refused = run(fresh_sandbox, records, "restore_automation", from_record=deleted.name, **APPLY)
    assert refused.outcome == "refused", refused.reason
    assert "it was changed after it was recorded" in refused.reason
    assert titled(fresh_sandbox, "Edited after the record") == []
    also = run(fresh_sandbox, records, "restore_automation", snapshot_path=str(snapshot), **APPLY)
    assert also.outcome == "refused" and "changed after it was recorded" in also.reason
