"""The kernel of one headless run, owned by the runner rather than by papermill.

Owning it buys time at both ends of `zdlib run` (BENCHMARKS.md, workload 5): the kernel is launched as
soon as the run's stage is reserved, so its start (ipykernel's own imports, about 0.6 s) overlaps the
runner's imports and set-up; and it is asked to exit as soon as the last cell ran, so its exit overlaps
publishing the record. papermill runs the cells on it (`km=`, an nbclient option), so the cells, their
outputs and the record are papermill's as before.

The kernel runs in its own session (jupyter_client's `start_new_session`): a Ctrl-C to the terminal's
process group reaches the runner only, and the runner decides. Its stdout and stderr (ipykernel's start-up
warnings) go to a log file in the stage, shown only when the run failed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
#: no history database to open (start-up time), no start-up warnings (the TCP one is about loopback)
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR")
#: how long a kernel asked to exit may take before SIGTERM (half of it) and then SIGKILL
EXIT_GRACE_S = 5.0


class RunnerKernelManager(AsyncKernelManager):
    """A kernel manager that logs the kernel's output to a file and remembers the clients it made."""

    def __init__(self, kernel_log: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_log = kernel_log
        self.clients: list[Any] = []

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.kernel_log is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        with self.kernel_log.open("ab") as handle:  # the child keeps its own copy of the descriptor
            kw.setdefault("stdout", handle)
            kw.setdefault("stderr", handle)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    def client(self, **kwargs: Any) -> Any:
        made = super().client(**kwargs)
        self.clients.append(made)
        return made


class RunKernel:
    """Launch early, hand to papermill, ask to exit, then make sure it is gone (`with` does the last)."""

    def __init__(self, cwd: Path, env: Mapping[str, str], *, log: Path | None = None) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.manager = RunnerKernelManager(kernel_log=log, kernel_name=KERNEL_NAME)
        self._exit_requested = False

    def __enter__(self) -> RunKernel:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        self.close(interrupt=exc_type is not None and issubclass(exc_type, KeyboardInterrupt))

    def start(self) -> None:
        """Launch the kernel process; papermill (nbclient) waits for it to be ready."""
        run_sync(self.manager.start_kernel)(
            cwd=str(self.cwd), env=self.env, extra_arguments=list(KERNEL_ARGUMENTS)
        )

    def request_exit(self) -> None:
        """Ask an idle kernel to exit (the last cell has run); returns at once, the kernel exits meanwhile.

        The kernel runs `exit()`, IPython's own way out: its event loop stops and the process ends
        normally, `atexit` handlers included, in about 0.15 s. A `shutdown_request` on the control
        channel (what jupyter_client sends) races with ipykernel 7.4's own teardown: about one exit in
        four then waits for a flush that never completes (10 s, or the manager's SIGTERM), measured in
        BENCHMARKS.md, workload 5.
        """
        if not self.manager.has_kernel or self._exit_requested:
            return
        self._exit_requested = True
        client = self.manager.client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        client.execute("exit()", silent=True, store_history=False, allow_stdin=False)

    def close(self, *, interrupt: bool = False) -> None:
        """Make sure the kernel is gone: ask it to exit (a stopped run's kernel is interrupted first, as a
        cell may still run), wait up to EXIT_GRACE_S (SIGTERM at half of it, then SIGKILL), and release
        its sockets and files."""
        manager = self.manager
        try:
            if manager.has_kernel:
                with contextlib.suppress(Exception):  # a kernel that died already
                    if interrupt:  # a cell may still run: stop it, then ask through the control channel
                        run_sync(manager.interrupt_kernel)()
                        run_sync(manager.request_shutdown)()
                    else:
                        self.request_exit()
                run_sync(manager.finish_shutdown)(waittime=EXIT_GRACE_S)
        finally:
            for made in manager.clients:
                with contextlib.suppress(Exception):
                    made.stop_channels()
            manager.clients.clear()
            with contextlib.suppress(Exception):
                run_sync(manager.cleanup_resources)()
