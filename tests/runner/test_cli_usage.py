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
