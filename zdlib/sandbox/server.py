"""`SandboxServer`: the sandbox served by uvicorn in a background thread, for tests and `zdlib sandbox`."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from zdlib.sandbox.app import create_app
from zdlib.sandbox.control import credentials
from zdlib.sandbox.identity import KEY_HEADER
from zdlib.sandbox.options import Options
from zdlib.sandbox.state import SandboxState
from zdlib.sandbox.tls import TlsFiles, make_tls_files


def write_env_file(path: str, env: dict[str, str]) -> None:
    """The `ZENDESK_*` variables as a dotenv file readable only by its owner."""
    fd = os.open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# written by `zdlib sandbox`: the seeded admin of a local sandbox (not a real account)\n")
        out.writelines(f"{key}={value}\n" for key, value in env.items())


class SandboxControl:
    """A small helper over the control API (`/sandbox/...`)."""

    def __init__(self, url: str, key: str, ca_file: str | None = None) -> None:
        verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._http = httpx.Client(base_url=url, verify=verify, timeout=10, headers={KEY_HEADER: key})

    def _call(self, method: str, path: str, json: Any = None) -> dict:
        response = self._http.request(method, path, json=json)
        response.raise_for_status()
        return response.json()

    def reset(self) -> dict:
        """Back to the seeded account, start clock, start faults, zero counters."""
        return self._call("POST", "/sandbox/reset")

    def set_clock(self, as_of: str | None = None, advance_days: float | None = None) -> str:
        body: dict[str, Any] = {}
        if as_of is not None:
            body["as_of"] = as_of
        if advance_days is not None:
            body["advance_days"] = advance_days
        return self._call("POST", "/sandbox/clock", body)["now"]

    def now(self) -> str:
        return self._call("GET", "/sandbox/clock")["now"]

    def set_faults(self, **settings: Any) -> dict:
        return self._call("POST", "/sandbox/faults", settings)

    def stats(self) -> dict:
        return self._call("GET", "/sandbox/stats")

    def reset_stats(self) -> dict:
        return self._call("DELETE", "/sandbox/stats")

    def credentials(self) -> dict:
        return self._call("GET", "/sandbox/credentials")

    def consumer(self, name: str, action: str, **credential: int) -> dict:
        """Tell a simulated consumer to `switch` (with `oauth_token_id=` or `client_id=`) or `retire`."""
        return self._call("POST", f"/sandbox/consumers/{name}", {"action": action, **credential})["consumer"]

    def admin_center_api_token(self, token_id: int, action: str) -> dict:
        """Play the person in Admin Center: `action` is "deactivate" or "delete" (audited as the admin)."""
        return self._call("POST", f"/sandbox/admin-center/api_tokens/{int(token_id)}", {"action": action})

    def change_issue(self, iid: int, *changes: dict[str, Any], after_reads: int | None = None) -> dict:
        """Change an access request's evidence in the GitLab look-alike: now, or once the issue has been
        read `after_reads` more times (e.g. `after_reads=1`: between a run's approval check and its
        re-check before the write). Changes: `{"label": L, "action": "remove", "by": "maria.manager"}`,
        `{"state": "closed"|"reopened", "by": U}`, `{"note": TEXT, "by": U}`, `{"title": T}`."""
        body: dict[str, Any] = {"changes": list(changes)}
        if after_reads is not None:
            body["after_reads"] = after_reads
        return self._call("POST", f"/sandbox/gitlab/issues/{int(iid)}", body)

    def close(self) -> None:
        self._http.close()


class SandboxServer:
    """`with SandboxServer(users=2000, as_of="2026-11-28") as sb:` -> `sb.url`, `sb.env`, `sb.control`."""

    def __init__(self, **options: Any) -> None:
        self.options = Options(**options)
        self.state = SandboxState(self.options)
        self.app = create_app(state=self.state)
        self.tls: TlsFiles | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self._control: SandboxControl | None = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        opts = self.options
        family = socket.AF_INET6 if ":" in opts.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((opts.host, opts.port))
        port = sock.getsockname()[1]
        tls_kwargs: dict[str, Any] = {}
        if opts.tls:
            self.tls = make_tls_files(opts.host)
            tls_kwargs = {"ssl_certfile": str(self.tls.cert_file), "ssl_keyfile": str(self.tls.key_file)}
            self.state.ca_file = str(self.tls.ca_file)
        shown_host = "127.0.0.1" if opts.host in ("0.0.0.0", "") else opts.host
        shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
        self.url = f"{'https' if opts.tls else 'http'}://{shown_host}:{port}"
        self.state.base_url = self.url
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="httptools",  # C parser: about 1.4x the requests per second of h11 on this machine
            loop="asyncio",
            timeout_keep_alive=30,
            date_header=False,  # the middleware sends the sandbox clock's own Date
            **tls_kwargs,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="zdlib-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {self.url}")
            time.sleep(0.01)
        if opts.env_file:
            write_env_file(opts.env_file, self.env)
        return self

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=0.5)
            if self._thread.is_alive():  # idle keep-alive (notably TLS) connections: stop waiting for them
                self._server.force_exit = True
                self._thread.join(timeout=10)
        self._server = self._thread = None
        if self.tls is not None:
            shutil.rmtree(self.tls.directory, ignore_errors=True)
            self.tls = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what callers use ----------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        """The seeded admin's `ZENDESK_*` variables (plus `ZENDESK_CA_BUNDLE` with `tls=True`)."""
        return credentials(self.state, self.url)

    @property
    def ca_file(self) -> str | None:
        return str(self.tls.ca_file) if self.tls else None

    @property
    def control(self) -> SandboxControl:
        if self._control is None:
            self._control = SandboxControl(self.url, self.state.key, self.ca_file)
        return self._control

    def __repr__(self) -> str:
        return f"SandboxServer(url={self.url!r}, plan={self.options.plan!r}, users={self.options.users})"
