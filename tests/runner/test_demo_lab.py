"""`zdlib demo` plan handling and `zdlib lab` preparation (no kernel, no UI)."""

from __future__ import annotations

import pytest

from zdlib.runner import demo, lab


def test_demo_without_a_plan_is_not_yet_available(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(demo, "notebook_folders", lambda: [tmp_path])
    assert demo.main([]) == 0
    assert "not yet available" in capsys.readouterr().out


def test_demo_plan_is_validated(tmp_path):
    plan = tmp_path / "demo.yaml"
    plan.write_text("- runbook: deactivate_automation\n  parameters: {automation_id: 1}\n  expect: planned\n")
    [step] = demo.load_plan(plan)
    assert (step.runbook, step.parameters, step.expect) == (
        "deactivate_automation",
        {"automation_id": 1},
        "planned",
    )
    plan.write_text("- runbook: x\n  expect: done\n")
    with pytest.raises(ValueError, match="expect must be one of"):
        demo.load_plan(plan)


def test_lab_arguments_and_environment(tmp_path):
    args = lab.lab_parser().parse_args(["--port", "8765", "--no-browser"])
    assert (args.port, args.no_browser) == (8765, True)
    sandbox_env = {"ZENDESK_URL": "http://127.0.0.1:8765", "ZENDESK_API_TOKEN": "sandbox-token"}
    base = {"PATH": "/bin", "ZENDESK_OAUTH_TOKEN": "real", "ZENDESK_URL": "https://acme.zendesk.com"}
    env = lab.lab_environment(sandbox_env, base)
    assert env["ZENDESK_URL"] == "http://127.0.0.1:8765" and "ZENDESK_OAUTH_TOKEN" not in env
    assert env["PYTHON_DOTENV_DISABLED"] == "1" and env["ZENDESK_AUTH"] == "token" and env["PATH"] == "/bin"
    written = lab.write_env_file(tmp_path / ".env.sandbox", sandbox_env)
    assert written.stat().st_mode & 0o777 == 0o600
    assert "ZENDESK_API_TOKEN=sandbox-token" in written.read_text()
