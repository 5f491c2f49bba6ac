"""A `zdlib lab --no-browser` on a sandbox, in a throwaway copy of the repository (git-tracked)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dotenv import dotenv_values

REPO = Path(__file__).resolve().parents[2]
ZDLIB = Path(sys.executable).parent / "zdlib"
URL_LINE = re.compile(r"^JupyterLab: (http://127\.0\.0\.1:(\d+)/\S*\?token=(\S+))$", re.MULTILINE)


@dataclass
class Lab:
    root: Path  # the repository copy the lab serves
    url: str  # as printed, with its token
    base: str  # http://127.0.0.1:PORT
    token: str
    sandbox: dict[str, str]  # .env.sandbox
    process: subprocess.Popen
    log: Path

    @property
    def records(self) -> Path:
        return self.root / "records"


def _git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=lab@test", "-c", "user.name=lab test", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One lab for the module (starting JupyterLab costs seconds); its tests touch different things."""
    tmp_path = tmp_path_factory.mktemp("lab")
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    for name in ("README.md", "runbooks.md"):
        shutil.copy(REPO / name, root / name)
    (root / ".gitignore").write_text("records/\n.env.*\n.ipynb_checkpoints/\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "templates")
    home = tmp_path / "jupyter"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),  # no personal JupyterLab settings or workspaces
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = tmp_path / "lab.log"
    command = [str(ZDLIB), "lab", "--no-browser", "--users", "50", "--", "--ServerApp.log_level=WARN"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        match = None
        deadline = time.monotonic() + 90
        while match is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            match = URL_LINE.search(log.read_text())
        assert match, f"zdlib lab printed no URL:\n{log.read_text()}"
        sandbox = {k: v for k, v in dotenv_values(root / ".env.sandbox").items() if v is not None}
        base = f"http://127.0.0.1:{match.group(2)}"
        yield Lab(root, match.group(1), base, match.group(3), sandbox, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as Ctrl-C: zdlib lab stops JupyterLab, kernels, sandbox
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
