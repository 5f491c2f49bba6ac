"""A run stopped between its change and the verification leaves a record of what is known, and a
re-run completes safely (no second change, nothing created twice).

Deterministic: the sandbox delays every request, the kernel is killed once the request after the
write (the verification read) has started, so the write has been answered and nothing after it ran.
"""

from __future__ import annotations

import json

import pytest

from tests.matrix.harness import SUCCESS, kill_kernel, run, when_seen

WRITE_OF = {
    "deactivate_automation": "PUT /api/v2/automations/{id}",
    "delete_automation": "DELETE /api/v2/automations/{id}",
    "restore_automation": "POST /api/v2/automations",
}


@pytest.mark.parametrize("runbook", WRITE_OF)
def test_interrupted_between_change_and_verification(box, api, records, matrix_specs, runbook: str) -> None:
    spec = matrix_specs[runbook]
    box.control.set_faults(latency_ms=400)
    with when_seen(box, WRITE_OF[runbook], kill_kernel, then_next=True) as fired:
        interrupted = run(box, records, runbook, spec.apply_params())
    assert fired.is_set()
    box.control.set_faults(latency_ms=0)
    assert box.control.stats()["by_endpoint"][WRITE_OF[runbook]] == 1
    assert spec.done(api), "the write was answered before the kill, so the change is in place"
    # the record exists and does not claim a verified change
    assert interrupted.ipynb is not None and interrupted.ipynb.is_file()
    assert interrupted.outcome == "failed", interrupted.outcome
    assert interrupted.reason
    entry = json.loads((records / "index.jsonl").read_text().splitlines()[-1])
    assert entry["records"]["ipynb"] == interrupted.ipynb.name

    rerun = run(box, records, runbook, spec.apply_params())
    assert rerun.outcome in SUCCESS, rerun.reason
    assert spec.done(api)
    assert spec.copies(api) == 1, "the re-run created it a second time"
    assert box.control.stats()["by_endpoint"][WRITE_OF[runbook]] == 1, "the re-run wrote again"

    # what is known: the change was sent (and answered) but not verified; the record must say so
    sent = [c for c in entry["changes"] if c.get("status") in ("applied", "pending", "unknown")]
    assert sent, f"the record does not say which change was sent: {entry['reason']!r}, {entry['changes']}"
