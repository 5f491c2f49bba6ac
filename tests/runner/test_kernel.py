"""The runner's own kernel (zdlib.runner.kernel): started in the given folder and environment, it exits
by itself when asked (its `atexit` handlers run), a stopped run's busy cell is interrupted rather than
killed, and nothing (process, connection file) outlives `close()`."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jupyter_core.utils import run_sync

from zdlib.runner.kernel import RunKernel


def _run(kernel: RunKernel, code: str) -> None:
    client = kernel.manager.client()
    client.start_channels()
    run_sync(client.wait_for_ready)(timeout=60)
    reply = run_sync(client.execute_interactive)(code, timeout=60, output_hook=lambda _msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie is gone for our purposes only once reaped; jupyter_client reaps it in close()
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_the_kernel_runs_in_the_given_folder_and_environment_and_exits_with_its_atexit_handlers(tmp_path):
    marker = tmp_path / "atexit.txt"
    environ = {**os.environ, "ZDLIB_TEST_VALUE": "from the runner"}
    kernel = RunKernel(tmp_path, environ, log=tmp_path / "k.log")
    with kernel:
        _run(
            kernel,
            "import atexit, os, pathlib\n"
            "pathlib.Path('seen.txt').write_text(os.getcwd() + '|' + os.environ['ZDLIB_TEST_VALUE'])\n"
            f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('ran'))",
        )
        pid = kernel.manager.provisioner.process.pid
        connection_file = Path(kernel.manager.connection_file)
        kernel.request_exit()
    assert (tmp_path / "seen.txt").read_text() == f"{tmp_path}|from the runner"
    assert marker.read_text() == "ran", "the kernel was killed instead of exiting: its atexit did not run"
    assert _gone(pid)
    assert not connection_file.exists()
    assert kernel.manager.provisioner is None or kernel.manager.provisioner.process is None


def test_close_after_a_stop_interrupts_the_running_cell_so_its_finally_runs(tmp_path):
    marker = tmp_path / "finally.txt"
    kernel = RunKernel(tmp_path, dict(os.environ))
    kernel.start()
    try:
        _run(kernel, "import time, pathlib")
        client = kernel.manager.client()
        client.start_channels()
        write = f"pathlib.Path({str(marker)!r}).write_text('interrupted')"
        client.execute(f"try:\n    time.sleep(120)\nfinally:\n    {write}")
        deadline = time.monotonic() + 30
        while not run_sync(kernel.manager.is_alive)() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the cell is sleeping now
        pid = kernel.manager.provisioner.process.pid
    finally:
        kernel.close(interrupt=True)
    assert marker.read_text() == "interrupted", "the busy kernel was killed, not interrupted"
    assert _gone(pid)


def test_a_kernel_that_ignores_the_request_is_ended_anyway(tmp_path, monkeypatch):
    monkeypatch.setattr("zdlib.runner.kernel.EXIT_GRACE_S", 1.0)
    kernel = RunKernel(tmp_path, dict(os.environ))
    with kernel:
        # `exit()` is shadowed, as a notebook might: the polite request does nothing
        _run(kernel, "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nexit = lambda: None")
        pid = kernel.manager.provisioner.process.pid
    assert _gone(pid), "close() must end a kernel that does not exit when asked (SIGKILL after the grace)"
