"""`zdlib lab`: JupyterLab on `notebooks/` with a running sandbox and its environment ready."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from zdlib.runner.environment import instance_overrides, sandbox_instance
from zdlib.runner.locate import notebook_folders

ENV_FILE_NAME = ".env.sandbox"
REAL_INSTANCE_HINT = """\
To walk a runbook against a real instance instead: stop this (Ctrl-C), put ZENDESK_URL and your
credential in .env at the repo root (see .env.example), and start JupyterLab yourself:
    .venv/bin/jupyter lab notebooks/
Headless, the same runbooks run with `zdlib run NAME -p ...` (add --sandbox to rehearse)."""


def lab_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zdlib lab", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="sandbox port (default: a free port)")
    parser.add_argument("--users", type=int, default=2000, help="seeded users in the sandbox")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return parser


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now, fixed for the session so `.env.sandbox` stays valid."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def lab_environment(sandbox_env: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """The environment JupyterLab (and so every kernel) gets: the sandbox's settings replace any
    `ZENDESK_*` variables and `.env` loading is off, so a real credential cannot mix in."""
    env = dict(environ)
    for name, value in instance_overrides(sandbox_env, environ).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def write_env_file(path: Path, sandbox_env: Mapping[str, str]) -> Path:
    """`.env.sandbox` (mode 0600) for other terminals: `zdlib run NAME --env-file .env.sandbox`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# Written by `zdlib lab` for its running sandbox; not a real instance.\n")
        for name, value in sorted(sandbox_env.items()):
            handle.write(f"{name}={value}\n")
    return path


def main(argv: list[str]) -> int:
    args = lab_parser().parse_args(argv)
    folders = notebook_folders()
    if not folders:
        print("zdlib lab: no notebooks/ folder found", file=sys.stderr)
        return 2
    notebooks = folders[0]
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if not jupyter:
        print("zdlib lab: jupyter is not installed (run `make install`)", file=sys.stderr)
        return 1
    port = args.port or free_port()
    env_file = notebooks.parent / ENV_FILE_NAME
    with sandbox_instance(port=port, users=args.users) as sandbox_env:
        write_env_file(env_file, sandbox_env)
        print(f"Sandbox running at {sandbox_env.get('ZENDESK_URL', f'http://127.0.0.1:{port}')}")
        print(f"Its settings are in {env_file} (for `zdlib run NAME --env-file {ENV_FILE_NAME}`).")
        print(REAL_INSTANCE_HINT)
        command = [jupyter, "lab", str(notebooks)] + (["--no-browser"] if args.no_browser else [])
        try:
            return subprocess.call(command, env=lab_environment(sandbox_env, os.environ))
        except KeyboardInterrupt:
            return 0
        finally:
            env_file.unlink(missing_ok=True)
