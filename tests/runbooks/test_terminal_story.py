"""What a headless `zdlib run` tells the engineer in the terminal (issue 20 parts 2 and 3, first-use F1, F4,
F5, F6, F9, F16): the Admin Center steps of a waiting run and a command that completes the rehearsal, where
a credential was delivered, live progress during long listings and rate-limit waits, and relative paths
typed where the operator stands. Every run goes through `zdlib run`'s entry point (`main_run`) against a
real sandbox over HTTP; real secret values are checked absent from the terminal and the records.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path

import pytest

from tests.contract import EXIT_WAITING
from tests.runbooks.support import APPLY, REQUEST_URL, api, assert_no_secret, run
from zdlib.runner.cli import main_run
from zdlib.sandbox import seed
from zdlib.sandbox.cli import main as sandbox_main
from zdlib.sandbox.server import SandboxServer, write_env_file

SECRET_NAMES = ("ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "ZENDESK_CLIENT_SECRET", "ZENDESK_PASSWORD")
REVOKE_3 = ["revoke_token", "-p", "token_id", "3", "-p", "dry_run", "False",
            "-p", "access_request_url", REQUEST_URL, "-p", "approved_by", "maria.manager"]  # fmt: skip


def zdlib_run(argv: list[str], capsys) -> tuple[int, str, str]:
    """`zdlib run ARGV` as typed; returns (exit status, stdout, stderr)."""
    code = main_run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def env_file(sandbox: SandboxServer, folder: Path) -> Path:
    """The env file `zdlib sandbox --env-file` writes for a running sandbox (a persistent one)."""
    path = folder / "sandbox.env"
    write_env_file(str(path), {**sandbox.env, "ZENDESK_AUTH": "oauth"})
    return path


def assert_no_sandbox_secret(sandbox: SandboxServer, *texts: str) -> None:
    for name in SECRET_NAMES:
        for text in texts:
            assert sandbox.env[name] not in text, f"{name} reached the terminal"


def banner_of(html: Path) -> str:
    """The record's banner (its HTML section), without the soft line breaks put into long words."""
    page = html.read_text().replace("<wbr>", "")
    start = page.index('<section class="zd-banner')
    return page[start : page.index("</section>", start)]


def printed_after(out: str, heading: str) -> str:
    """The command printed on the line after `heading`."""
    lines = out.splitlines()
    return next(lines[i + 1].strip() for i, line in enumerate(lines) if line.startswith(heading))


def test_waiting_on_a_fresh_sandbox_prints_the_steps_and_the_persistent_rehearsal(
    sandbox, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    records = tmp_path / "records"
    code, out, err = zdlib_run([*REVOKE_3, "--sandbox", "--records", str(records)], capsys)
    assert code == EXIT_WAITING, out + err
    assert "left to a person in Admin Center > Apps and integrations > APIs > API tokens: " \
           "Deactivate API token 3" in out  # fmt: skip
    assert "  description: Zapier test token" in out and "  id: 3" in out
    assert "  1. Open Admin Center > Apps and integrations > APIs > API tokens." in out
    assert "  3. Open its menu (⋮) and click Deactivate." in out  # plain text: no Markdown left
    assert "**" not in out and "&gt;" not in out and "\\" not in out
    assert "  warning: Deactivation can be undone" in out
    assert "the steps are above" not in out
    assert "this run used a fresh sandbox (--sandbox)" in out
    assert "  zdlib sandbox --env-file .env.sandbox    (in another terminal; keep it running)" in out
    persistent = "zdlib run " + shlex.join(
        [*REVOKE_3, "--records", str(records), "--env-file", ".env.sandbox"]
    )
    assert f"  {persistent}    (ends waiting)" in out and f"  {persistent}    (checks through the API" in out
    assert "  zdlib sandbox admin-center --env-file .env.sandbox api_tokens 3 deactivate" in out
    banner = banner_of(next(records.glob("*_revoke_token_3.html")))
    assert (
        "Left to a person in Admin Center" in banner and "Open its menu (⋮) and click Deactivate." in banner
    )
    assert "the steps are above" not in banner
    # the record, too, says the sandbox is gone (a re-run of the same command would start another one)
    assert "sandbox (--sandbox) stopped when the run ended" in banner
    assert "re-run the same zdlib run command" not in banner + out
    assert_no_sandbox_secret(sandbox, out, err)  # --sandbox seeds the same secrets as the session's (seed 1)


def test_the_printed_commands_complete_the_rehearsal_on_a_persistent_sandbox(
    fresh_sandbox, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    instance = env_file(fresh_sandbox, tmp_path)
    typed = [*REVOKE_3, "--env-file", str(instance), "--records", str(tmp_path / "records")]
    code, out, err = zdlib_run(typed, capsys)
    assert code == EXIT_WAITING, out + err
    assert "fresh sandbox" not in out
    play = printed_after(out, "on this sandbox, play the person's step")
    rerun = printed_after(out, "then re-run")
    assert play == f"zdlib sandbox admin-center --env-file {instance} api_tokens 3 deactivate"
    assert rerun == "zdlib run " + shlex.join(typed)
    assert sandbox_main(shlex.split(play)[2:]) == 0  # the printed command, through `zdlib sandbox`'s entry
    assert (
        "Played in the sandbox (a rehearsal, not Admin Center): deactivate API token 3"
        in capsys.readouterr().out
    )
    tokens = api(fresh_sandbox, "GET", "/api/v2/api_tokens").json()["api_tokens"]
    assert next(t for t in tokens if t["id"] == 3)["active"] is False
    code, out, err = zdlib_run(shlex.split(rerun)[2:], capsys)
    assert code == 0 and "outcome: applied" in out, out + err
    assert "left to a person" not in out
    assert_no_sandbox_secret(fresh_sandbox, out, err)


def test_admin_center_play_refuses_without_a_sandbox_and_changes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZENDESK_URL", raising=False)
    monkeypatch.delenv("ZDLIB_SANDBOX_KEY", raising=False)
    assert sandbox_main(["admin-center", "api_tokens", "3", "deactivate"]) == 2
    assert "give --env-file" in capsys.readouterr().err
    missing = tmp_path / "nope.env"
    assert sandbox_main(["admin-center", "--env-file", str(missing), "api_tokens", "3", "delete"]) == 2
    assert f"zdlib sandbox --env-file {missing}" in capsys.readouterr().err


def test_create_token_says_where_the_credential_went_and_rehearsals_stay_out_of_the_real_folder(
    fresh_sandbox, tmp_path, monkeypatch, capsys
):
    real, rehearsal = tmp_path / "real-handoff", tmp_path / "sandbox-handoff"
    monkeypatch.setenv("ZDLIB_HANDOFF_DIR", str(real))
    monkeypatch.setenv("ZDLIB_SANDBOX_HANDOFF_DIR", str(rehearsal))
    monkeypatch.chdir(tmp_path)
    records = tmp_path / "records"
    typed = ["create_token", "-p", "requester_email", seed.AGENT_EMAIL, "-p", "scopes", "users:read",
             "-p", "expires_in", "3600", "-p", "dry_run", "False", "-p", "access_request_url", REQUEST_URL,
             "-p", "approved_by", "maria.manager",
             "--env-file", str(env_file(fresh_sandbox, tmp_path)), "--records", str(records)]  # fmt: skip
    code, out, err = zdlib_run(typed, capsys)
    assert code == 0, out + err
    assert not real.exists()  # a rehearsal never writes into the operator's real hand-off folder
    [path] = list(rehearsal.iterdir())
    handed = json.loads(path.read_text())
    tokens = api(fresh_sandbox, "GET", "/api/v2/oauth/tokens", params={"all": "true"}).json()["tokens"]
    token = next(t for t in tokens if t["token"] == handed["secrets"]["access_token"][:10])
    head = f"delivered: access token {token['id']} of OAuth client {token['client_id']} -> file {path}"
    assert head in out.splitlines()
    detail = out.splitlines()[out.splitlines().index(head) + 1]
    assert f"acts as Alan Agent <{seed.AGENT_EMAIL}> (user {seed.AGENT_ID}, role agent)" in detail
    assert "scopes users:read" in detail and "a rehearsal: the sandbox's own hand-off folder" in detail
    assert f"expires {token['expires_at']} (UTC)" in detail and re.search(
        r"expires 20\d\d-\d\d-\d\dT", detail
    )
    banner = banner_of(next(records.glob("*_create_token_*.html")))
    assert "Delivered:</b> access token" in banner and str(path) in banner and token["expires_at"] in banner
    notebook = json.loads(next(records.glob("*_create_token_*.ipynb")).read_text())
    heading = next(
        i for i, c in enumerate(notebook["cells"]) if "5. The hand-off destination" in "".join(c["source"])
    )
    shown = json.dumps(notebook["cells"][heading + 1]["outputs"])
    assert "Reserved for the hand-off" in shown and path.name in shown  # F16: the step says where
    secret = handed["secrets"]["access_token"]
    assert secret not in out + err
    assert_no_secret(records, secret)
    assert_no_sandbox_secret(fresh_sandbox, out, err)
    revoke = ["revoke_token", "-p", "kind", "oauth", "-p", "issued_for_url", REQUEST_URL,
              "-p", "handoff_file", path.name, *typed[typed.index("dry_run") - 1 :]]  # fmt: skip
    code, out, err = zdlib_run(revoke, capsys)
    assert code == 0, out + err  # the bare file name was found in the rehearsals' folder
    assert f"delivered: the new secret of OAuth client {token['client_id']} -> nobody" in out
    assert secret not in out + err


def test_a_long_listing_prints_progress_to_the_terminal_and_none_into_the_record(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    options = {"users": 3000, "rate_limit": 12, "window": 4.0, "as_of": "2026-11-28", "seed": 1}
    with SandboxServer(**options) as tight:
        records = tmp_path / "records"
        typed = ["inspect_users", "--env-file", str(env_file(tight, tmp_path)), "--records", str(records)]
        typed += ["-p", "role", "end-user"]  # a listing (the default census is a handful of counts since #22)
        code, out, err = zdlib_run(typed, capsys)
    assert code == 0 and "outcome: no-op" in out, out + err
    lines = [line for line in err.splitlines() if re.match(r"  \[ *\d+\.\d s\] ", line)]
    stamps = [float(re.match(r"  \[ *(\d+\.\d) s\]", line).group(1)) for line in lines]
    assert any("waiting" in line and "for the rate limit" in line for line in lines), err
    assert any(re.search(r"listing /api/v2/users: page \d+, [\d,]+ items so far", line) for line in lines), (
        err
    )
    assert len(lines) >= 3 and stamps == sorted(stamps)
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert max(gaps) <= 6.0, lines  # a sign of life at least every few seconds
    texts = [p.read_text(errors="replace") for p in records.rglob("*") if p.is_file()]
    for text in texts:
        assert "items so far" not in text and "for the rate limit" not in text
    assert re.search(r"Inspected [\d,]+ users", out), out
    assert not list(records.glob(".staging/*/progress.jsonl"))


def test_a_snapshot_path_relative_to_where_the_operator_typed_it(
    fresh_sandbox, tmp_path, monkeypatch, capsys
):
    records = tmp_path / "records"
    deleted = run(fresh_sandbox, records, "delete_automation", automation_id=12349, **APPLY)
    assert deleted.outcome == "applied", deleted.reason
    name = next(p.name for p in deleted.side_files if ".snapshot-automation-" in p.name)
    deep = tmp_path / "ops" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)  # neither the repository, the records folder nor its parent
    typed = ["restore_automation", "-p", "snapshot_path", f"../../records/{name}", "-p", "dry_run", "False",
             "-p", "access_request_url", REQUEST_URL, "-p", "approved_by", "maria.manager",
             "--env-file", str(env_file(fresh_sandbox, tmp_path)), "--records", str(records)]  # fmt: skip
    code, out, err = zdlib_run(typed, capsys)
    assert code == 0 and "outcome: applied" in out, out + err


@pytest.mark.parametrize("outcome", ["applied", "planned"])
def test_no_guidance_unless_waiting(outcome):
    from zdlib.runner.guidance import Invocation, waiting_lines

    summary = {"outcome": outcome, "facts": {"admin_center": {"title": "x", "path": "y", "clicks": ["z"]}}}
    assert waiting_lines(summary, Invocation(["revoke_token"])) == []


def test_a_real_instance_is_told_to_do_it_in_admin_center_then_re_run():
    from zdlib.runner.guidance import Invocation, waiting_lines

    step = {"title": "Delete API token 7", "path": "Admin Center > APIs", "clicks": ["Open it.", "Delete."],
            "details": [["id", 7]], "warnings": ["Deletion is final."],
            "rehearsal": {"kind": "api_tokens", "id": 7, "action": "delete"}}  # fmt: skip
    summary = {"outcome": "waiting", "sandbox": False, "facts": {"admin_center": step}}
    lines = waiting_lines(summary, Invocation(["revoke_token", "-p", "token_id", "7", "-p", "note", "a b"]))
    assert lines == [
        "left to a person in Admin Center > APIs: Delete API token 7",
        "  id: 7",
        "  1. Open it.",
        "  2. Delete.",
        "  warning: Deletion is final.",
        "then, once it is done in Admin Center, re-run (it checks through the API, ends applied):",
        "  zdlib run revoke_token -p token_id 7 -p note 'a b'",
    ]
    assert not any("sandbox" in line for line in lines)


def test_playing_on_a_stopped_sandbox_says_so(tmp_path, capsys):
    dead = tmp_path / "dead.env"
    dead.write_text("ZENDESK_URL=http://127.0.0.1:9\nZDLIB_SANDBOX_KEY=k\n")  # port 9: nothing listens
    assert sandbox_main(["admin-center", "--env-file", str(dead), "api_tokens", "3", "deactivate"]) == 1
    assert "is it still running? Nothing was changed." in capsys.readouterr().err
