"""The committed notebooks: clean templates, parseable parameters, and each one runs under nbval."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import papermill
import pytest

from tests.runbooks.support import NOTEBOOKS, admin_env

TEMPLATES = sorted(NOTEBOOKS.glob("*.ipynb"))
ASSIGNMENT = re.compile(r"^(\w+)\s*:")


def test_there_are_runbooks():
    names = {p.stem for p in TEMPLATES}
    expected = {
        "deactivate_automation",
        "delete_automation",
        "restore_automation",
        "inspect_users",
        "api_request",
        "create_token",
        "revoke_token",
        "revoke_integration",
        "audit_credentials",
        "migrate_api_tokens",
    }
    assert expected <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_template_is_committed_clean(path):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs"
    meta = notebook["metadata"]["zdlib"]
    assert meta["runbook"] == path.stem and meta["version"]
    assert notebook["cells"][0]["cell_type"] == "markdown"
    tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_parameter_line_is_understood_by_papermill(path):
    notebook = json.loads(path.read_text())
    cell = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    declared = [m.group(1) for line in "".join(cell["source"]).splitlines() if (m := ASSIGNMENT.match(line))]
    inspected = papermill.inspect_notebook(str(path))
    assert list(inspected) == declared
    for name, info in inspected.items():
        assert info["help"], f"{path.name}: parameter {name} has no comment"


@pytest.mark.e2e  # nbval runs every notebook's cells, in a pytest subprocess
def test_every_notebook_runs_under_nbval(sandbox, tmp_path):
    sandbox.control.reset()
    env = {
        **os.environ,
        **admin_env(sandbox),
        "PYTHON_DOTENV_DISABLED": "1",
        "ZDLIB_RECORDS_DIR": str(tmp_path / "records"),
        "ZDLIB_HANDOFF_DIR": str(tmp_path / "handoff"),
    }
    env.pop("ZDLIB_RECORD_STEM", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", *map(str, TEMPLATES)],
        cwd=NOTEBOOKS.parent, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert f"{len(TEMPLATES)} passed" in completed.stdout or "passed" in completed.stdout
