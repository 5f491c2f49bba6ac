"""The architecture's import rules hold, and the linter that holds them fails on a module that breaks one.

The rules are `[tool.importlinter]` in pyproject.toml (docs/architecture.md, "Import rules"); `make lint`
runs `lint-imports`. Here each rule is broken on purpose in a copy of the package, never in the tree.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_FUNCTION_LINES = 60

#: (module written into the copy, what it imports, the contract it breaks)
BREAKS = [
    ("zdlib/record/bad.py", "import zdlib.runbook.display", "record is plain data"),
    ("zdlib/record/bad.py", "import pandas", "record is plain data"),
    ("zdlib/runner/bad.py", "from zdlib.runbook import run", "the runner never imports the kit"),
    ("zdlib/runbook/bad.py", "import zdlib.runner.publish", "the kit never imports the runner"),
    ("zdlib/approval/bad.py", "from zdlib.runbook import markup", "approval imports neither"),
    (
        "zdlib/sandbox/bad.py",
        "from zdlib.redact import redact_text",
        "the sandbox imports nothing of the client",
    ),
    ("zdlib/resources/bad.py", "import zdlib.record.stage", "the client imports nothing of the kit"),
    ("zdlib/campaign/bad.py", "from zdlib.runner import cli", "campaign states are pure"),
]
CONTRACTS = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "zdlib", tree / "zdlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_rules_hold_on_the_tree(package_copy: Path) -> None:
    result = lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "statement", "contract"), BREAKS, ids=[b[0] + ":" + b[1] for b in BREAKS])
def test_a_forbidden_import_fails_the_linter(
    package_copy: Path, module: str, statement: str, contract: str
) -> None:
    bad = package_copy / module
    bad.write_text(f'"""A deliberate break of the rule: {contract}."""\n\n{statement}\n')
    try:
        result = lint(package_copy)
    finally:
        bad.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())  # the linter wraps long contract names
    assert f"Contracts: {CONTRACTS - 1} kept, 1 broken." in report, result.stdout
    assert contract in report.split("Broken contracts", 1)[1], result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


def long_functions(root: Path) -> list[str]:
    """Functions over MAX_FUNCTION_LINES lines, except argument-parser builders (a list of options)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            if length > MAX_FUNCTION_LINES and not node.name.endswith("parser"):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_sixty_lines() -> None:
    assert long_functions(ROOT / "zdlib") == []
