"""What a server or a value says reaches the terminal as text, never as control sequences.

Attack review 2026-12-02 (E11): a 400 whose description held CR and ANSI codes erased the line and drew a
fake green `outcome: applied` with an OSC-8 link.
"""

from __future__ import annotations

import json

from zdlib import cli
from zdlib.terminal import inert_json, visible

HOSTILE = (
    "bad request\r\x1b[2K\x1b[32moutcome: applied\x1b[0m \x1b]8;;https://evil.example\x07x\x1b]8;;\x07 \u202e"
)


def test_control_characters_are_shown_as_escapes():
    shown = visible(HOSTILE + "\nnext line\tand a tab")
    assert "\x1b" not in shown and "\r" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\\x1b[32moutcome: applied" in shown and "\\u202e" in shown
    assert shown.endswith("\nnext line\tand a tab")


def test_the_zdlib_command_writes_hostile_values_visibly(tmp_path, capsys):
    entry = {"runbook": "api_request", "target": HOSTILE, "outcome": "failed", "changes": []}
    (tmp_path / "index.jsonl").write_text(json.dumps(entry) + "\n")
    assert cli.main(["records", "--records", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "api_request" in out
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out


def test_json_keeps_its_value_and_obeys_nothing():
    value = {"description": HOSTILE + "\x9b2J\x85", "ok": "Zürich"}
    text = inert_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value and "Zürich" in text
    assert visible(text) == text  # nothing left for SafeStream to rewrite into non-JSON
