"""`zdlib run` refuses bad input with exit 2 before anything runs or is written (no kernel)."""

from __future__ import annotations

import pytest

from tests.runner.conftest import CONTRACT
from zdlib.runner.cli import main_run

pytestmark = pytest.mark.no_kernel  # refused before a kernel starts: in the fast loop (tests/e2e.py)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-p", "target_id", "1", "-p", "automation", "2"], "unknown parameter 'automation'"),
        (["-p", "target_id", "twelve"], "expected an int"),
        ([], "missing required parameter 'target_id'"),
        (["-p", "target_id", "1", "-p", "api_token", "x"], "the name looks like a credential"),
        (["-p", "target_id", "1", "-p", "outcome", "Bearer abc"], "Bearer/Basic"),
        (
            ["-p", "target_id", "1", "-p", "outcome", "6s6lN-L0IJtsqB2-LcC2thkyueCMctgDPjyvYOhZ"],
            "generated token",
        ),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(isolated_env, records_dir, capsys, arguments, message):
    code = main_run([str(CONTRACT), "--records", str(records_dir), *arguments])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Nothing was run" in err
    assert not records_dir.exists()


def test_a_configured_credential_as_value_is_refused_without_echoing_it(isolated_env, records_dir, capsys):
    token = isolated_env["ZENDESK_API_TOKEN"]
    code = main_run(
        [str(CONTRACT), "--records", str(records_dir), "-p", "target_id", "1", "-p", "leak", token]
    )
    assert code == 2
    captured = capsys.readouterr()
    assert "ZENDESK_API_TOKEN" in captured.err and token not in captured.err + captured.out
    assert not records_dir.exists()


def test_unknown_runbook_name(isolated_env, capsys):
    assert main_run(["no_such_runbook"]) == 2
    assert "no runbook named 'no_such_runbook'" in capsys.readouterr().err


# -- the CLI explains itself (issue 20 part 5; first-use F19, F20, F22, M5, M7) ---------------------------
def test_no_instance_and_no_sandbox_is_a_usage_error_that_points_to_env_example(
    isolated_env, records_dir, monkeypatch, capsys
):
    for name in isolated_env:
        monkeypatch.delenv(name)
    code = main_run([str(CONTRACT), "--records", str(records_dir), "-p", "target_id", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "No Zendesk instance is set" in err and "No Zendesk credential is set" in err
    assert ".env.example" in err and "--sandbox" in err and "Nothing was run or written." in err
    assert not records_dir.exists()  # no failed record is published


def test_an_instance_without_a_credential_is_a_usage_error_too(
    isolated_env, records_dir, monkeypatch, capsys
):
    monkeypatch.delenv("ZENDESK_API_TOKEN")
    assert main_run([str(CONTRACT), "--records", str(records_dir), "-p", "target_id", "1"]) == 2
    err = capsys.readouterr().err
    assert "No Zendesk credential is set" in err and "No Zendesk instance" not in err
    assert not records_dir.exists()


def test_name_equals_value_is_read_as_name_and_value(isolated_env, records_dir, capsys):
    code = main_run([str(CONTRACT), "--records", str(records_dir), "-p", "target_id=twelve"])
    assert code == 2
    assert "parameter 'target_id': expected an int" in capsys.readouterr().err  # split, then checked
    from zdlib.runner.cli import split_name_value

    assert split_name_value(["x", "-p", "body={\"a\": \"b=c\"}", "-p", "n", "a=b"]) == [
        "x", "-p", "body", '{"a": "b=c"}', "-p", "n", "a=b"
    ]  # fmt: skip


def test_run_alone_lists_every_runbook_and_run_name_help_lists_its_parameters(isolated_env, capsys):
    from zdlib.runner.catalogue import runbooks

    assert main_run([]) == 0
    listing = capsys.readouterr().out
    names = set(runbooks())
    assert {"deactivate_automation", "revoke_token", "create_token"} <= names
    assert all(f"  {name} " in listing for name in names)
    assert "Deactivate (or reactivate) an automation" in listing
    assert main_run(["deactivate_automation", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "automation_id       int, required" in shown
    assert "dry_run             bool, default True" in shown and "nothing changes unless" in shown
    assert main_run(["no_such_runbook", "--help"]) == 2


def test_zdlib_version(capsys):
    from zdlib._version import __version__
    from zdlib.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"zdlib {__version__}"


def test_a_stopped_sandbox_removes_its_env_file(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    env_file = tmp_path / "sandbox.env"
    command = [sys.executable, "-m", "zdlib", "sandbox", "--port", "0", "--env-file", str(env_file)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not env_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert env_file.exists(), "the sandbox wrote no env file"
        assert "ZDLIB_SANDBOX_KEY" in env_file.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert not env_file.exists() and "removed" in output
