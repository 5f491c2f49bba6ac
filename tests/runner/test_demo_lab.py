"""`zdlib demo` plan handling and `zdlib lab` preparation (no kernel, no UI)."""

from __future__ import annotations

import nbformat
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
    args = lab.lab_parser().parse_args(["--sandbox-port", "8765", "--lab-port", "8899", "--no-browser"])
    assert (args.sandbox_port, args.lab_port, args.no_browser, args.no_sandbox) == (8765, 8899, True, False)
    ours, extra = lab.split_arguments(["--no-browser", "--", "--ServerApp.log_level=WARN", "--", "x"])
    assert (ours, extra) == (["--no-browser"], ["--ServerApp.log_level=WARN", "--", "x"])
    sandbox_env = {"ZENDESK_URL": "http://127.0.0.1:8765", "ZENDESK_API_TOKEN": "sandbox-token"}
    base = {"PATH": "/bin", "ZENDESK_OAUTH_TOKEN": "real", "ZENDESK_URL": "https://acme.zendesk.com"}
    env = lab.lab_environment(sandbox_env, base)
    assert env["ZENDESK_URL"] == "http://127.0.0.1:8765" and "ZENDESK_OAUTH_TOKEN" not in env
    assert env["PYTHON_DOTENV_DISABLED"] == "1" and env["ZENDESK_AUTH"] == "token" and env["PATH"] == "/bin"
    written = lab.write_env_file(tmp_path / ".env.sandbox", sandbox_env)
    assert written.stat().st_mode & 0o777 == 0o600
    assert "ZENDESK_API_TOKEN=sandbox-token" in written.read_text()


def test_lab_command_serves_the_repository_with_the_templates_guarded(tmp_path, monkeypatch):
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    command = lab.lab_command("jupyter", tmp_path, 8899, open_browser=False, extra=["--debug"])
    assert command[:2] == ["jupyter", "lab"] and command[-1] == "--debug"
    assert f"--ServerApp.root_dir={tmp_path}" in command and "--ServerApp.port=8899" in command
    assert "--allow-root" in command and "--ServerApp.open_browser=False" in command
    assert f"--ServerApp.contents_manager_class={lab.CONTENTS_MANAGER}" in command
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command("jupyter", tmp_path, 1, open_browser=True, extra=[])


def test_working_copies_are_fresh_unless_edited(tmp_path):
    notebooks, copies = tmp_path / "notebooks", tmp_path / "records" / "interactive"
    notebooks.mkdir()
    for name in ("a", "b"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = '{name}'")])
        nbformat.write(nb, notebooks / f"{name}.ipynb")
    assert lab.prepare_working_copies(notebooks, copies) == {"fresh": ["a", "b"], "kept": []}
    assert copies.stat().st_mode & 0o777 == 0o700 and (copies / "a.ipynb").stat().st_mode & 0o777 == 0o600
    edited = nbformat.read(copies / "a.ipynb", as_version=4)
    edited.cells[0].source = "x = 'mine'"
    nbformat.write(edited, copies / "a.ipynb")
    ran = nbformat.read(copies / "b.ipynb", as_version=4)
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", text="out")]
    nbformat.write(ran, copies / "b.ipynb")
    assert lab.prepare_working_copies(notebooks, copies) == {"fresh": ["b"], "kept": ["a"]}
    assert nbformat.read(copies / "a.ipynb", as_version=4).cells[0].source == "x = 'mine'"
    assert not nbformat.read(copies / "b.ipynb", as_version=4).cells[0].outputs
