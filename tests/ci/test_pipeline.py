"""The team's scheduled pipeline (`.gitlab-ci.yml`), run by gitlab-ci-local as a GitLab shell runner would,
against the embedded sandbox (ZDLIB_SANDBOX=1): each instance's job passes and leaves its records as
artifacts (issue 23 part 5; reference/gitlab-ci-local.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zdlib.yamlfile import strict_yaml

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "build" / "tools" / "node_modules" / ".bin"  # `make ci-tools` (part of `make test`)
INSTANCES = ("global", "usgov")
JOBS = ("audit_credentials", "migrate_api_tokens")
CAMPAIGN_ISSUE = "https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/4250"
SCHEDULE = ("--variable", "CI_PIPELINE_SOURCE=schedule", "--variable", "ZDLIB_SCHEDULED=1")


def gitlab_ci_local(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    executable = TOOLS / "gitlab-ci-local"
    assert executable.exists(), "gitlab-ci-local is missing: run `make ci-tools` (make test does)"
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}"}
    env.pop("ZENDESK_URL", None)  # the jobs take their settings from CI variables only
    command = [str(executable), *args]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, env=env, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tracked files of this repository (as they are now) in a Git work tree of their own."""
    root = tmp_path_factory.mktemp("pipeline") / "project"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in [n for n in listed.decode().split("\0") if n] + [".gitlab-ci.yml"]:
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    git = ["git", "-c", "user.email=ci@test", "-c", "user.name=ci test"]
    for step in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "project"]):
        subprocess.run([*git, *step], cwd=root, check=True, capture_output=True)
    return root


def test_the_pipeline_holds_no_credential_and_schedules_runbooks_per_instance(project: Path):
    definition = strict_yaml((project / ".gitlab-ci.yml").read_text())
    text = (project / ".gitlab-ci.yml").read_text()
    assert not re.search(r"(?i)(secret|token|password)\s*:\s*\S", text), "credentials belong in CI variables"
    matrix = definition[".scheduled-runbook"]["parallel"]["matrix"]
    assert matrix == [{"ZDLIB_INSTANCE": list(INSTANCES)}]
    listed = gitlab_ci_local(project, "--list", *SCHEDULE)
    assert listed.returncode == 0, listed.stderr + listed.stdout  # valid against GitLab's CI schema
    for job in JOBS:
        assert f"{job}: [global]" in listed.stdout and f"{job}: [usgov]" in listed.stdout
    assert not re.search(r"^test\s", listed.stdout, re.M)  # the test job stays out of schedules
    pushed = gitlab_ci_local(project, "--list")
    assert re.search(r"^test\s", pushed.stdout, re.M)
    assert not any(job in pushed.stdout for job in JOBS)


@pytest.mark.e2e  # each job runs `zdlib run` (a kernel) in a subprocess
def test_the_scheduled_jobs_run_against_the_sandbox_and_keep_their_records(project: Path):
    """Both scheduled runbooks, each instance: audit_credentials read-only; migrate_api_tokens with the
    approved campaign issue, so it writes the checklist (on that job's embedded sandbox) and prints
    `zdlib campaign` into the job log; every record stays as the job's artifact."""
    bin_dir = Path(sys.executable).parent
    result = gitlab_ci_local(
        project,
        *JOBS,
        "--shell-isolation",
        *SCHEDULE,
        "--variable",
        "ZDLIB_SANDBOX=1",
        "--variable",
        f"ZDLIB_BIN={bin_dir}",
        "--variable",
        f"ZDLIB_CAMPAIGN_ISSUE={CAMPAIGN_ISSUE}",
        "--variable",
        "ZDLIB_CAMPAIGN_APPROVED_BY=maria.manager",
        "--variable",
        "ZDLIB_CAMPAIGN_REVIEWED_BY=sam.security",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    expected = {"audit_credentials": "no-op", "migrate_api_tokens": "applied"}
    for job, instance in ((job, instance) for job in JOBS for instance in INSTANCES):
        assert f"PASS  {job}: [{instance}]" in output
        found = list((project / ".gitlab-ci-local" / "artifacts").glob(f"{job}*{instance}*"))
        assert len(found) == 1, sorted(p.name for p in (project / ".gitlab-ci-local" / "artifacts").iterdir())
        records = found[0] / "records" / instance
        lines = [json.loads(line) for line in (records / "index.jsonl").read_text().splitlines()]
        assert [(e["runbook"], e["outcome"], e["sandbox"]) for e in lines] == [(job, expected[job], True)]
        assert (records / f"{lines[0]['name']}.html").is_file()
        assert not (found[0] / "records" / ({*INSTANCES} - {instance}).pop()).exists()
        if job == "migrate_api_tokens":
            kept = json.loads((records / f"{lines[0]['name']}.campaign.json").read_text())
            assert kept["deadline"] == "2027-04-30" and kept["tokens"]
            assert f"from record {lines[0]['name']}" in output  # `zdlib campaign` in the job log
