"""The package builds quietly: `make install` prints no warning of ours (issue 12, part D)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import importlib
import sys
import tomllib
with open("pyproject.toml", "rb") as file:
    backend = importlib.import_module(tomllib.load(file)["build-system"]["build-backend"])
kind, out = sys.argv[1], sys.argv[2]
name = backend.build_editable(out) if kind == "editable" else backend.build_wheel(out)
print(name)
"""


def _build(kind: str, out: Path) -> tuple[zipfile.ZipFile, str]:
    """Run the build backend pyproject.toml names, every warning an error; the wheel and what it printed."""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", BUILD, kind, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    wheel = zipfile.ZipFile(out / done.stdout.strip().splitlines()[-1])
    return wheel, done.stderr


def test_the_editable_install_used_by_make_install_prints_nothing(tmp_path: Path) -> None:
    wheel, stderr = _build("editable", tmp_path)
    assert stderr == ""
    assert any(name.endswith(".pth") for name in wheel.namelist())


def test_the_wheel_carries_the_package_data_and_nothing_else(tmp_path: Path) -> None:
    wheel, stderr = _build("wheel", tmp_path)
    names = wheel.namelist()
    assert stderr == ""
    assert "zdlib/py.typed" in names
    assert "zdlib/sandbox/gitlab/approval-policy.yaml" in names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("tests/", "notebooks/"))]
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "zdlib = zdlib.cli:main" in wheel.read(entry_points).decode()
