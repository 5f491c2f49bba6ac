"""Helpers for the approval tests: the sandbox GitLab's URLs, faults and notes, read with python-gitlab."""

from __future__ import annotations

from typing import Any

import gitlab
import httpx

from zdlib.sandbox.gitlab.seed import REVIEW_NOTE
from zdlib.sandbox.server import SandboxServer

PROJECT = "gitlab-com/team-member-epics/access-requests"
OPERATOR = {"id": 1000000, "name": "Ada Admin", "email": "ada.admin@sandbox.zdlib.test", "role": "admin"}


def issue_url(iid: int) -> str:
    return f"https://gitlab.com/{PROJECT}/-/issues/{iid}"


def gitlab_faults(sandbox: SandboxServer, **settings: Any) -> dict:
    """Inject a GitLab error (`status=503`) or a slow answer (`delay_s=3`) into the look-alike."""
    key = {"X-Sandbox-Key": sandbox.env["ZDLIB_SANDBOX_KEY"]}
    response = httpx.post(sandbox.url + "/sandbox/gitlab/faults", json=settings, headers=key, timeout=10)
    response.raise_for_status()
    return response.json()


def notes(sandbox: SandboxServer, iid: int) -> list[Any]:
    """The notes posted on the issue since it was seeded (the seeded security reviews left out), read back
    through GitLab's API with python-gitlab (not through zdlib)."""
    gl = gitlab.Gitlab(
        sandbox.env["GITLAB_URL"], private_token=sandbox.env["GITLAB_TOKEN"], keep_base_url=True
    )
    found = gl.projects.get(PROJECT, lazy=True).issues.get(iid).notes.list(get_all=True)
    return [note for note in found if note.body != REVIEW_NOTE]
