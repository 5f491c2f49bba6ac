"""An everyone export stopped by an error keeps the cursor it reached, one line updated in place, and its
record says how to resume; resuming reads the rest (issue 22), over HTTP on a 4,500-user sandbox."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Iterator

import pytest

from tests.runbooks.support import run
from zdlib.runner.run import RunResult
from zdlib.sandbox.server import SandboxServer

USERS = 4_500  # five export pages of 1,000


@pytest.fixture(scope="module")
def sandbox_4500() -> Iterator[SandboxServer]:
    with SandboxServer(users=USERS, as_of="2026-11-28", seed=1) as server:
        yield server


def _exports(sandbox: SandboxServer) -> int:
    by_endpoint = sandbox.control.stats()["by_endpoint"]
    return sum(n for key, n in by_endpoint.items() if "incremental/users/cursor" in key)


def _fail_from_request(sandbox: SandboxServer, number: int) -> threading.Thread:
    """From the `number`th export request on, the sandbox answers 400 (not retried): the run fails there.
    The sandbox decides a fault after its latency, so a request seen arriving gets the fault too."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while _exports(sandbox) < number and time.monotonic() < deadline:
            time.sleep(0.005)
        sandbox.control.set_faults(fail_rate=1.0, fail_statuses=[400])

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def _ids(result: RunResult) -> set[int]:
    path = next(p for p in result.side_files if p.name.endswith("users.csv"))
    with path.open() as rows:
        return {int(row["id"]) for row in csv.DictReader(rows)}


def _cursor_lines(result: RunResult) -> list[str]:
    """The texts of the record's outputs that show the export's cursor."""
    assert result.ipynb is not None
    cells = json.loads(result.ipynb.read_text())["cells"]
    texts = ["".join(o.get("data", {}).get("text/plain", "")) for c in cells for o in c.get("outputs", [])]
    return [text for text in texts if text.startswith("Export cursor reached")]


def test_the_export_keeps_one_cursor_line_current_and_a_limited_run_names_where_to_resume(
    sandbox_4500, tmp_path
):
    sandbox_4500.control.reset()
    result = run(sandbox_4500, tmp_path, "inspect_users", detail="everyone", limit=2_500)
    assert result.outcome == "no-op", result.reason
    cursor = result.summary["facts"]["export_cursor"]
    assert f"(stopped at limit: resume with resume_cursor={cursor} and detail='everyone'" in result.reason
    lines = _cursor_lines(result)  # pages 2 and 3 moved the cursor: one line, updated in place to page 3's
    assert lines == [f"Export cursor reached: {cursor} (2,001 users read)"], lines


def test_an_export_stopped_by_an_error_names_its_cursor_and_resumes_from_it(sandbox_4500, tmp_path):
    sandbox_4500.control.reset()
    sandbox_4500.control.set_faults(latency_ms=150)
    watcher = _fail_from_request(sandbox_4500, 2)
    failed = run(sandbox_4500, tmp_path, "inspect_users", detail="everyone", export_csv=True)
    watcher.join(5)
    assert failed.outcome == "failed", failed.reason
    cursor = failed.summary["facts"]["export_cursor"]
    assert failed.reason.startswith("The export of everyone stopped (BadRequest: "), failed.reason
    assert cursor and f"resume with resume_cursor={cursor}" in failed.reason, failed.reason

    sandbox_4500.control.set_faults(fail_rate=0.0, latency_ms=0)
    sandbox_4500.control.reset_stats()
    resumed = run(
        sandbox_4500, tmp_path, "inspect_users", detail="everyone", resume_cursor=cursor, export_csv=True
    )
    assert resumed.outcome == "no-op", resumed.reason
    assert _exports(sandbox_4500) == 4  # pages 2 to 5: the first page is not read again
    first, second = _ids(failed), _ids(resumed)
    assert len(first) == 1_000 and len(second) == USERS - 1_000 and not first & second
    assert max(first) < min(second)  # the export is in id order here: the second run starts after
    assert len(first | second) == USERS


def test_a_zendesk_style_cursor_passes_the_guard_a_credential_in_its_place_does_not(sandbox_4500, tmp_path):
    """`resume_cursor` is declared a position: a random-looking cursor (Zendesk's form, base64 of
    `1576613539.0||467|`) is accepted, while the configured credential is still refused there."""
    from zdlib.runner.run import UsageError

    cursor = "MTU3NjYxMzUzOS4wfHw0Njd8"
    result = run(sandbox_4500, tmp_path, "inspect_users", detail="everyone", resume_cursor=cursor, limit=1)
    assert result.outcome in ("failed", "no-op"), (
        result.reason
    )  # the sandbox may not know the cursor: no guard
    assert "credential" not in result.reason
    secret = sandbox_4500.env["ZENDESK_OAUTH_TOKEN"]
    with pytest.raises(UsageError, match="resume_cursor"):
        run(sandbox_4500, tmp_path, "inspect_users", detail="everyone", resume_cursor=secret)
    with pytest.raises(UsageError, match="query"):  # any other parameter keeps the random-looking check
        run(sandbox_4500, tmp_path, "inspect_users", query=cursor)
