"""Which tests are end-to-end (`-m e2e`): they start a Jupyter kernel (a notebook run) or drive a browser.

Two parts, both used by `tests/conftest.py`:

- `e2e_reason(item)` classifies a collected test by what it uses: the test function, its fixtures and its
  parameters are followed through every helper defined under `tests/` (functions, classes, closures,
  modules used as `support.run`) until one of `ENTRY_POINTS` (`run_runbook`, `main_run`, `RunKernel`,
  papermill, Playwright, ...) or an `E2E_FIXTURES` fixture is reached. A new test that runs a notebook
  through `tests/runbooks/support.run` (or `run_on`) or `run_runbook` is e2e without a mark. A test
  that starts a kernel in another way (a subprocess `zdlib run`, a `-c` script) carries an explicit
  `@pytest.mark.e2e`; one that calls the runner only to be refused before any kernel starts (a usage
  error) carries `@pytest.mark.no_kernel` and stays in the fast loop.
- `KernelGuard` makes a miss (or a wrong `no_kernel`) loud: each test not marked e2e runs with its own
  empty `IPYTHONDIR`, which every kernel started for it inherits (in this process, in a `zdlib run`
  subprocess, in JupyterLab). An IPython kernel creates `profile_default` there when it starts; the test
  then errors at teardown.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import pytest

#: what a test may call that starts a kernel or a browser, by name, in these packages
ENTRY_POINTS: dict[str, str] = {
    "run_runbook": "runs a notebook (zdlib's runner)",
    "main_run": "runs a notebook (`zdlib run`, in-process)",
    "start_kernel": "starts the runner's kernel",
    "RunKernel": "starts the runner's kernel",
    "start_new_kernel": "starts a Jupyter kernel",
    "KernelManager": "starts a Jupyter kernel",
    "AsyncKernelManager": "starts a Jupyter kernel",
    "NotebookClient": "executes a notebook (nbclient)",
    "execute_notebook": "executes a notebook (papermill)",
    "sync_playwright": "drives a browser (Playwright)",
    "async_playwright": "drives a browser (Playwright)",
}
ENTRY_PACKAGES = ("zdlib", "jupyter_client", "nbclient", "papermill", "playwright")
#: fixtures that start kernels themselves (out of the static rule's sight: a subprocess)
E2E_FIXTURES: dict[str, str] = {
    "lab": "starts JupyterLab (`zdlib lab`) and its kernels",
}
TESTS = Path(__file__).resolve().parent


def e2e_reason(item: pytest.Item) -> str | None:
    """Why `item` is end-to-end (e.g. "run_runbook: runs a notebook (zdlib's runner), through
    tests.runbooks.support.run"), or None for a test that starts no kernel and no browser."""
    for name in getattr(item, "fixturenames", ()):
        if name in E2E_FIXTURES:
            return f"fixture {name!r}: {E2E_FIXTURES[name]}"
    roots: list[Any] = [getattr(item, "obj", None)]
    info = getattr(item, "_fixtureinfo", None)  # every fixture it uses, directly or through others
    if info is not None:
        for definitions in info.name2fixturedefs.values():
            roots += [definition.func for definition in definitions]
    callspec = getattr(item, "callspec", None)
    roots += list(callspec.params.values()) if callspec else []
    for root in roots:
        path = _path_to_entry(root, set())
        if path:
            entry, *through = path  # the entry point, then the helpers leading to it, innermost first
            helpers = [name for name in through if name != _qualname(root)]
            via = f", through {' <- '.join(helpers)}" if helpers else ""
            return f"{entry}: {ENTRY_POINTS[entry]}{via}"
    return None


def _is_entry(value: Any) -> bool:
    name = getattr(value, "__name__", None)
    module = getattr(value, "__module__", None) or ""
    return name in ENTRY_POINTS and module.split(".")[0] in ENTRY_PACKAGES


def _ours(value: Any) -> bool:
    """Defined in a file under tests/ (test modules are imported as `runbooks.test_x`, helpers as
    `tests.runbooks.support`: the file tells, the module name does not)."""
    module = sys.modules.get(getattr(value, "__module__", None) or "")
    file = getattr(module, "__file__", None)
    return file is not None and Path(file).resolve().is_relative_to(TESTS)


def _qualname(value: Any) -> str:
    return f"{value.__module__}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def _path_to_entry(value: Any, seen: set[int]) -> list[str] | None:
    """[entry name, ..., the helpers leading to it (innermost first)], or None."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    elif isinstance(value, property):
        value = value.fget
    elif isinstance(value, types.MethodType):
        value = value.__func__
    if callable(value):
        with contextlib.suppress(ValueError):  # a wrapper loop (a Mock's __wrapped__ is another Mock)
            value = inspect.unwrap(value)  # @contextmanager, functools.wraps
    if _is_entry(value):
        return [value.__name__]
    if id(value) in seen or not _ours(value if callable(value) else type(value)):
        return None
    seen.add(id(value))
    if isinstance(value, types.FunctionType):
        found = _first_path(_referenced(value), seen)
    elif isinstance(value, type):
        found = _first_path(list(vars(value).values()), seen)
    else:  # an instance of a class of ours (a parameter, e.g. a dataclass holding callables)
        found = _first_path([type(value), *getattr(value, "__dict__", {}).values()], seen)
    if found and isinstance(value, types.FunctionType | type):
        return [*found, _qualname(value)]
    return found


def _first_path(values: list[Any], seen: set[int]) -> list[str] | None:
    for value in values:
        path = _path_to_entry(value, seen)
        if path:
            return path
    return None


def _referenced(function: types.FunctionType) -> list[Any]:
    """The globals (and attributes of modules) a function's code names, its closure and its defaults."""
    names = _code_names(function.__code__)
    values: list[Any] = []
    for name in names:
        if name not in function.__globals__:
            continue
        value = function.__globals__[name]
        if isinstance(value, types.ModuleType):  # `support.run`, `run.run_runbook`
            values += [getattr(value, attr) for attr in names if attr in vars(value)]
        else:
            values.append(value)
    values += [cell.cell_contents for cell in function.__closure__ or () if _filled(cell)]
    values += list(function.__defaults__ or ()) + list((function.__kwdefaults__ or {}).values())
    return values


def _code_names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for constant in code.co_consts:  # nested functions, lambdas, comprehensions
        if isinstance(constant, types.CodeType):
            names += _code_names(constant)
    return list(dict.fromkeys(names))


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an unfilled cell raises
    except ValueError:
        return False
    return True


class KernelGuard:
    """An empty IPYTHONDIR for one test; `stop()` says whether a kernel started (and restores the old one)."""

    VARIABLE = "IPYTHONDIR"

    def __init__(self) -> None:
        self.previous = os.environ.get(self.VARIABLE)
        self.folder = Path(tempfile.mkdtemp(prefix="zdlib-kernel-guard-"))
        os.environ[self.VARIABLE] = str(self.folder)

    def stop(self) -> bool:
        started = (self.folder / "profile_default").exists()
        if self.previous is None:
            os.environ.pop(self.VARIABLE, None)
        else:
            os.environ[self.VARIABLE] = self.previous
        shutil.rmtree(self.folder, ignore_errors=True)
        return started
