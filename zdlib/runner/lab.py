"""`zdlib lab`: JupyterLab on the repository, with a running sandbox, working copies and records.

The lab's root is the repository (README, runbooks.md, records/ and notebooks/ are all in its file
browser). The committed templates in `notebooks/` are read-only there (`lab_contents.TemplateGuard`):
runbooks are run from working copies in `records/interactive/`, and every run's `finish()` publishes a
record into `records/` (the kit's `zdlib.runbook.interactive`). Arguments after `--` go to JupyterLab.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import nbformat

from zdlib.record.channel import RECORDS_VARIABLE, RUNNER_ONLY
from zdlib.record.layout import ensure_records_dir, records_home
from zdlib.runner.catalogue import title_of
from zdlib.runner.environment import instance_overrides, sandbox_instance, with_overrides
from zdlib.runner.lab_start import START_PAGE, quiet_settings_folder, with_config_path, write_start_page
from zdlib.runner.locate import notebook_folders

ENV_FILE_NAME = ".env.sandbox"
WORKING_COPIES = Path("records") / "interactive"
CONTENTS_MANAGER = "zdlib.runner.lab_contents.TemplateGuard"
START_TIMEOUT_S = 120
REAL_INSTANCE_HINT = """\
To walk a runbook against a real instance instead: stop this (Ctrl-C), put ZENDESK_URL and your
credential in .env at the repo root (see .env.example) and run `zdlib lab --no-sandbox`.
Headless, the same runbooks run with `zdlib run NAME -p ...` (add --sandbox to rehearse)."""


def lab_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdlib lab",
        description="JupyterLab on this repository with a sandbox; arguments after `--` go to JupyterLab.",
    )
    parser.add_argument("--sandbox-port", type=int, default=0, help="the sandbox's port (default: free)")
    parser.add_argument("--lab-port", type=int, default=0, help="JupyterLab's port (default: free)")
    parser.add_argument("--users", type=int, default=2000, help="users seeded in the sandbox")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="start no sandbox: kernels use ZENDESK_* from the environment or .env (a real instance)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; print the URL")
    return parser


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """Our options, and what follows `--` (passed to JupyterLab as given)."""
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1 :]
    return argv, []


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now, fixed for the session so `.env.sandbox` and the URL stay valid."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def lab_environment(sandbox_env: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """The environment JupyterLab (and so every kernel) gets: the sandbox's settings replace any
    `ZENDESK_*` variables and `.env` loading is off, so a real credential cannot mix in."""
    return with_overrides(environ, instance_overrides(sandbox_env, environ))


def write_env_file(path: Path, sandbox_env: Mapping[str, str]) -> Path:
    """`.env.sandbox` (mode 0600) for other terminals: `zdlib run NAME --env-file .env.sandbox`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# Written by `zdlib lab` for its running sandbox; not a real instance.\n")
        for name, value in sorted(sandbox_env.items()):
            handle.write(f"{name}={value}\n")
    return path


# -- working copies --------------------------------------------------------------------------------
def _sources(path: Path) -> list[tuple[str, str]] | None:
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return None
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def prepare_working_copies(notebooks: Path, folder: Path) -> dict[str, list[str]]:
    """Copy each template to `folder` (0600), unless its working copy there was edited (kept, and said).

    Returns {"fresh": [...], "kept": [...]} by runbook name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    done: dict[str, list[str]] = {"fresh": [], "kept": []}
    for template in sorted(notebooks.glob("*.ipynb")):
        copy = folder / template.name
        if copy.exists() and _sources(copy) not in (None, _sources(template)):
            done["kept"].append(template.stem)
            continue
        scratch = folder / f".{template.name}.partial"
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(template.read_bytes())
        os.replace(scratch, copy)
        done["fresh"].append(template.stem)
    return done


# -- JupyterLab ------------------------------------------------------------------------------------
def lab_command(jupyter: str, root: Path, port: int, *, open_browser: bool, extra: list[str]) -> list[str]:
    """The `jupyter lab` command line: root, port, contents guard, no outside calls, then `extra`."""
    command = [
        jupyter,
        "lab",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.contents_manager_class={CONTENTS_MANAGER}",
        f"--LabApp.default_url=/lab/tree/{(WORKING_COPIES / START_PAGE).as_posix()}",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # as root in a container; JupyterLab refuses root without it
    return command + extra


def lab_url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/lab/tree/{(WORKING_COPIES / START_PAGE).as_posix()}?token={token}"


def wait_until_serving(process: subprocess.Popen, port: int, token: str, timeout: float) -> bool:
    """True once JupyterLab answers on its port (False if it exited or did not answer in time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            answer = httpx.get(
                f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"}, timeout=2
            )
            if answer.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def instance(args: argparse.Namespace) -> Iterator[dict[str, str] | None]:
    """The sandbox's environment while it runs, or None with `--no-sandbox`."""
    if args.no_sandbox:
        yield None
        return
    port = args.sandbox_port or free_port()
    with sandbox_instance(port=port, users=args.users) as sandbox_env:
        yield sandbox_env


def main(argv: list[str]) -> int:
    ours, extra = split_arguments(argv)
    args = lab_parser().parse_args(ours)
    folders = notebook_folders()
    if not folders:
        print("zdlib lab: no notebooks/ folder found here or above the zdlib install", file=sys.stderr)
        return 2
    notebooks = folders[0]
    root = notebooks.parent
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if not jupyter:
        print("zdlib lab: jupyter is not installed (run `make install`)", file=sys.stderr)
        return 1
    records = ensure_records_dir(records_home(root))
    copies = prepare_working_copies(notebooks, root / WORKING_COPIES)
    titles = {path.stem: title_of(path) for path in sorted(notebooks.glob("*.ipynb"))}
    runbooks_md = root / "runbooks.md"
    write_start_page(root / WORKING_COPIES, titles, runbooks_md if runbooks_md.is_file() else None)
    settings = quiet_settings_folder()
    token = secrets.token_urlsafe(24)
    port = args.lab_port or free_port()
    env_file = root / ENV_FILE_NAME
    with instance(args) as sandbox_env:
        if sandbox_env is None:
            env = dict(os.environ)
            print("No sandbox: kernels use ZENDESK_* from the environment or .env (a real instance).")
        else:
            env = lab_environment(sandbox_env, os.environ)
            write_env_file(env_file, sandbox_env)
            print(f"Sandbox running at {sandbox_env.get('ZENDESK_URL')}")
            print(f"Its settings are in {env_file} (for `zdlib run NAME --env-file {ENV_FILE_NAME}`).")
            print(REAL_INSTANCE_HINT)
        for name in RUNNER_ONLY:  # a lab kernel is never a headless run
            env.pop(name, None)
        env = with_config_path({**env, RECORDS_VARIABLE: str(records), "JUPYTER_TOKEN": token}, settings)
        command = lab_command(jupyter, root, port, open_browser=not args.no_browser, extra=extra)
        try:
            return _serve(command, env, port, token, root, copies)
        finally:
            env_file.unlink(missing_ok=True)
            shutil.rmtree(settings, ignore_errors=True)
            _recover(records, env)


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM, SIGHUP: stop JupyterLab, its kernels and the sandbox as Ctrl-C does


def _serve(
    command: list[str], env: dict[str, str], port: int, token: str, root: Path, copies: dict[str, list[str]]
) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    process = subprocess.Popen(command, env=env, cwd=root)
    try:
        if not wait_until_serving(process, port, token, START_TIMEOUT_S):
            print(f"zdlib lab: JupyterLab did not start on port {port} (see above)", file=sys.stderr)
            process.terminate()
            return process.wait() or 1
        print(f"\nJupyterLab: {lab_url(port, token)}")
        print(
            f"It opens on {WORKING_COPIES / START_PAGE}: run the working copies in {WORKING_COPIES}/ "
            "(notebooks/ is read-only here); every finish() "
            f"publishes a record into records/ ({root / 'records' / 'index.html'})."
        )
        if copies["kept"]:
            kept = ", ".join(copies["kept"])
            print(f"Kept your edited working copies: {kept} (delete one to get a fresh copy).")
        print("Stop with Ctrl-C.", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0


def _recover(records: Path, env: Mapping[str, str]) -> None:
    """Publish what a kernel stopped with the lab left staged (`zdlib records recover`)."""
    command = [sys.executable, "-m", "zdlib", "records", "--records", str(records), "recover"]
    try:
        subprocess.run(command, env=dict(env), check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"zdlib lab: staged runs not published ({error}): run `zdlib records recover`", file=sys.stderr)
