"""`zdlib sandbox`: documented options, printed URL, CA file with --tls, and the env file."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys

import httpx

from zdlib.sandbox.cli import build_parser, main

OPTIONS = (
    "--host",
    "--port",
    "--plan",
    "--rate-limit",
    "--window",
    "--users",
    "--automations",
    "--seed",
    "--latency-ms",
    "--fail-rate",
    "--as-of",
    "--tls",
    "--api-token-writes",
    "--env-file",
)


def test_help_documents_every_option(capsys):
    try:
        main(["--help"])
    except SystemExit as done:
        assert done.code == 0
    text = capsys.readouterr().out
    documented = {a.option_strings[0] for a in build_parser()._actions if a.option_strings[0] != "-h"}
    assert documented == set(OPTIONS)
    for option in OPTIONS:
        assert option in text
    assert "2026-10-27" in text and "/sandbox/reset" in text


def test_bad_options_are_a_usage_error(capsys):
    assert main(["--users", "0"]) == 2
    assert "users" in capsys.readouterr().err


def test_starts_with_tls_prints_url_and_ca_and_writes_the_env_file(tmp_path):
    env_file = tmp_path / "sandbox.env"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zdlib",
            "sandbox",
            "--tls",
            "--users",
            "50",
            "--seed",
            "7",
            "--env-file",
            str(env_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.strip())
        url = lines[0].rsplit(" ", 1)[1]
        ca_file = lines[1].rsplit(" ", 1)[1]
        assert url.startswith("https://127.0.0.1:")
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        env = dict(
            line.split("=", 1) for line in env_file.read_text().splitlines() if not line.startswith("#")
        )
        assert env["ZENDESK_URL"] == url and env["ZENDESK_CA_BUNDLE"] == ca_file
        assert set(env) >= {
            "ZENDESK_EMAIL",
            "ZENDESK_API_TOKEN",
            "ZENDESK_OAUTH_TOKEN",
            "ZENDESK_CLIENT_ID",
            "ZENDESK_CLIENT_SECRET",
            "ZENDESK_PASSWORD",
        }
        me = httpx.get(
            url + "/api/v2/users/me",
            verify=ssl.create_default_context(cafile=ca_file),
            auth=(env["ZENDESK_EMAIL"] + "/token", env["ZENDESK_API_TOKEN"]),
        )
        assert me.status_code == 200 and me.json()["user"]["email"] == env["ZENDESK_EMAIL"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert not os.path.exists(ca_file)
