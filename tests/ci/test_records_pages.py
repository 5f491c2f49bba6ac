"""The records project's Pages job (docs/records-project/.gitlab-ci.yml), run by gitlab-ci-local over a
work tree holding what zdlib pushed to the look-alike's records project: the site is the index page and the
HTML records, nothing else (reference/gitlab-ci-local.md; issue 21 part 5)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.ci.test_pipeline import REPO, gitlab_ci_local
from tests.records.test_push import mark_all, project, publish_fake_run, push_pending, remote_file
from zdlib.runner.remote import remote_settings

DEFINITION = REPO / "docs" / "records-project" / ".gitlab-ci.yml"


def checkout(sandbox, root: Path) -> list[str]:
    """The records project's default branch, file by file (read with python-gitlab), in a Git work tree."""
    names = [item["path"] for item in project(sandbox).repository_tree(get_all=True)]
    root.mkdir(parents=True)
    for name in names:
        (root / name).write_bytes(remote_file(sandbox, name))
    shutil.copy2(DEFINITION, root / ".gitlab-ci.yml")
    git = ["git", "-c", "user.email=ci@test", "-c", "user.name=ci test"]
    for step in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "records"]):
        subprocess.run([*git, *step], cwd=root, check=True, capture_output=True)
    return names


def test_the_pages_job_publishes_the_index_page_and_the_html_records(fresh_sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("ZDLIB_RECORDS_HEAD_KEY", str(tmp_path / "head.key"))
    folder = tmp_path / "records"
    for number in range(2):
        publish_fake_run(folder, f"20261204T12000{number}Z_deactivate_automation_{number}")
    mark_all(folder)
    env = {k: fresh_sandbox.env[k] for k in ("GITLAB_URL", "GITLAB_TOKEN", "ZDLIB_RECORDS_PROJECT")}
    push_pending(folder, remote_settings(env))
    root = tmp_path / "records-project"
    names = checkout(fresh_sandbox, root)
    assert {n for n in names if n.endswith(".ipynb")}  # notebooks are in the project, read in GitLab's view
    result = gitlab_ci_local(root, "pages", "--variable", "CI_DEFAULT_BRANCH=main")
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / ".gitlab-ci-local" / "artifacts" / "pages" / "public"
    served = sorted(p.name for p in site.iterdir())
    assert served == sorted(n for n in names if n.endswith(".html"))
    assert "index.html" in served and not any(n.endswith((".ipynb", ".jsonl")) for n in served)
    page = (site / "index.html").read_text()
    assert all(f"20261204T12000{n}Z_deactivate_automation_{n}.html" in page for n in range(2))
    text = DEFINITION.read_text()
    assert "Only project members" in text and "token" not in text.lower().replace("no credential", "")
