"""A fresh sandbox in its own process, so it never shares the GIL with the client being measured."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from dotenv import dotenv_values

REPO = Path(__file__).resolve().parent.parent
ZDLIB = Path(sys.executable).with_name("zdlib")


class SandboxProcess:
    """`zdlib sandbox --port 0 --env-file F ...` started as a child; `env`, `url`, `stats()`, `faults()`."""

    def __init__(
        self,
        *,
        users: int = 2000,
        automations: int = 8,
        rate_limit: int = 1_000_000,
        window: float = 60.0,
        latency_ms: float = 0.0,
        fail_rate: float = 0.0,
        seed: int = 1,
        start_timeout: float = 60.0,
    ) -> None:
        self.options = {
            "users": users,
            "automations": automations,
            "rate-limit": rate_limit,
            "window": window,
            "latency-ms": latency_ms,
            "fail-rate": fail_rate,
            "seed": seed,
        }
        self.start_timeout = start_timeout
        self.env: dict[str, str] = {}
        self.url = ""
        self._dir = tempfile.TemporaryDirectory(prefix="zdlib-bench-")
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> SandboxProcess:
        env_file = Path(self._dir.name) / "sandbox.env"
        command = [str(ZDLIB), "sandbox", "--port", "0", "--env-file", str(env_file)]
        for name, value in self.options.items():
            command += [f"--{name}", str(value)]
        log = open(Path(self._dir.name) / "sandbox.log", "w")
        self._proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        self._log = log
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the sandbox exited early: {self.log_text()}")
            if env_file.is_file() and self._ready(env_file):
                return self
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the sandbox did not start within {self.start_timeout} s: {self.log_text()}")

    def _ready(self, env_file: Path) -> bool:
        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        if "ZENDESK_URL" not in values:
            return False
        try:
            httpx.get(
                values["ZENDESK_URL"] + "/sandbox/stats", headers=_key(values), timeout=2
            ).raise_for_status()
        except httpx.HTTPError:
            return False
        self.env, self.url = values, values["ZENDESK_URL"]
        self.env_file = env_file
        return True

    def __exit__(self, *exc: Any) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._log.close()
        self._dir.cleanup()

    def log_text(self) -> str:
        return (Path(self._dir.name) / "sandbox.log").read_text(errors="replace")[-2000:]

    # -- control API ---------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """The sandbox's own counters: the referee."""
        response = httpx.get(self.url + "/sandbox/stats", headers=_key(self.env), timeout=10)
        response.raise_for_status()
        return response.json()

    def faults(self, **settings: Any) -> dict[str, Any]:
        """Switch faults at run time (see zdlib.sandbox.faults.FaultSettings); no settings: read them."""
        if not settings:
            return httpx.get(self.url + "/sandbox/faults", headers=_key(self.env), timeout=10).json()
        response = httpx.post(self.url + "/sandbox/faults", json=settings, headers=_key(self.env), timeout=10)
        response.raise_for_status()
        return response.json()

    def rss_mb(self) -> float:
        """The sandbox process's current resident memory (psutil)."""
        if self._proc is None:
            return 0.0
        process = psutil.Process(self._proc.pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            total += child.memory_info().rss
        return round(total / 2**20, 1)

    @property
    def pid(self) -> int:
        """The sandbox process's id (for psutil)."""
        if self._proc is None:
            raise RuntimeError("the sandbox is not running")
        return self._proc.pid

    def client_env(self) -> dict[str, str]:
        """The seeded admin's settings with the API token chosen, the credential both clients use."""
        env = {k: v for k, v in self.env.items() if k.startswith("ZENDESK_")}
        env["ZENDESK_AUTH"] = "token"
        return env


def python_env() -> dict[str, str]:
    """The environment for child processes: ours, without inherited ZENDESK_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "ZENPY_"))}


def _key(env: dict[str, str]) -> dict[str, str]:
    """The sandbox's control API answers only whoever holds its key (zdlib/sandbox/identity.py)."""
    return {"X-Sandbox-Key": env.get("ZDLIB_SANDBOX_KEY", "")}
