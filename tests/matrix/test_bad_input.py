"""Bad input: each gets a clear message and changes nothing (no write request reaches the sandbox)."""

from __future__ import annotations

import pytest

from tests.matrix.specs import APPROVAL
from tests.runbooks.support import run_on
from zdlib.runner.run import UsageError, run_runbook
from zdlib.sandbox import seed

STOPPED = ("refused", "failed")


def no_writes(box) -> None:
    stats = box.control.stats()
    writes = {k: v for k, v in stats["by_endpoint"].items() if not k.startswith("GET ")}
    assert writes == {}, f"bad input led to writes: {writes}"


def applied(**params):
    return {**APPROVAL, "dry_run": False, **params}


@pytest.mark.no_kernel
@pytest.mark.parametrize(
    ("runbook", "params", "named"),
    [
        ("deactivate_automation", {"automation_id": "12a45"}, "automation_id"),
        ("revoke_integration", {"client_id": "2002; DROP TABLE"}, "client_id"),
        ("revoke_token", {"kind": "api_token", "token_id": "1e3"}, "token_id"),
    ],
)
def test_malformed_id_is_a_usage_error(box, records, runbook, params, named) -> None:
    with pytest.raises(UsageError, match=named):
        run_on(box, records, runbook, applied(**params))
    assert box.control.stats()["total"] == 0
    assert not records.exists() or not any(records.iterdir())


@pytest.mark.parametrize(
    ("runbook", "params", "wrong_id"),
    [
        ("deactivate_automation", {"automation_id": seed.AGENT_ID}, str(seed.AGENT_ID)),  # a user's id
        ("delete_automation", {"automation_id": 2002}, "2002"),  # an OAuth client's id
        ("revoke_integration", {"client_id": 12345}, "12345"),  # an automation's id
        ("revoke_token", {"kind": "api_token", "token_id": 12345}, "12345"),
    ],
)
def test_id_of_the_wrong_kind_of_object(box, records, runbook, params, wrong_id) -> None:
    result = run_on(box, records, runbook, applied(**params))
    assert result.outcome in STOPPED
    assert wrong_id in result.reason and "not found" in result.reason.lower().replace(
        "no api token", "not found"
    )
    no_writes(box)


def test_body_that_is_not_json(box, records) -> None:
    params = applied(method="PUT", path="/api/v2/automations/12345", body='{"automation": {"active": false}')
    result = run_on(box, records, "api_request", params)
    assert result.outcome == "refused"
    assert "not valid JSON" in result.reason
    no_writes(box)


def test_unicode_and_very_long_path(box, records) -> None:
    path = "/api/v2/automations/12345" + "é🚀" * 5000
    result = run_on(box, records, "api_request", applied(method="DELETE", path=path))
    assert result.outcome in STOPPED, result.outcome
    assert result.reason
    no_writes(box)


def test_very_long_unicode_approver_is_refused(box, records, api) -> None:
    """A 20,000-character approver is not a person: the run must refuse, not apply."""
    params = applied(automation_id=12350, approved_by="Zoë Ångström " + "🚀" * 20_000)
    result = run_on(box, records, "deactivate_automation", params)
    assert result.outcome == "refused", result.outcome
    no_writes(box)
    assert api.get("/api/v2/automations/12350")["automation"]["active"] is True


def test_unicode_approver_names_are_accepted(box, records, api) -> None:
    """Unicode in typed names is ordinary: recorded as written (NOT verified), not mangled or refused."""
    params = applied(
        automation_id=12350,
        approved_by="Zoë Ångström-Ñúñez",
        reviewed_by="Łukasz Żółć 李雷",
        approval_source="manual",
    )
    result = run_on(box, records, "deactivate_automation", params)
    assert result.outcome == "applied", result.reason
    assert "Łukasz Żółć 李雷" in result.ipynb.read_text(encoding="utf-8")


def test_http_url_that_is_not_loopback(box, records) -> None:
    result = run_on(
        box,
        records,
        "deactivate_automation",
        applied(automation_id=12350),
        ZENDESK_URL="http://zendesk.example.com",
    )
    assert result.outcome in STOPPED
    assert "http://" in result.reason
    assert box.control.stats()["total"] == 0


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (["ZENDESK_SUBDOMAIN=acme"], "ZENDESK_SUBDOMAIN"),
        (["ZENDESK_AUTH=password"], "ZENDESK_PASSWORD"),
    ],
)
def test_env_file_with_conflicting_settings(box, records, tmp_path, lines, named) -> None:
    env = {k: v for k, v in box.env.items() if k in ("ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN")}
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join([*(f"{k}={v}" for k, v in env.items()), *lines]) + "\n")
    result = run_runbook(
        "deactivate_automation", applied(automation_id=12350), records_dir=records, env_file=env_file
    )
    assert result.outcome in STOPPED
    assert named in result.reason
    assert env["ZENDESK_API_TOKEN"] not in result.reason
    assert box.control.stats()["total"] == 0


def test_expired_oauth_token(box, records) -> None:
    expired = seed.oauth_token_value(1, 3005)  # seeded: expired ten days before the clock
    result = run_on(
        box,
        records,
        "deactivate_automation",
        applied(automation_id=12350),
        ZENDESK_AUTH="oauth",
        ZENDESK_OAUTH_TOKEN=expired,
    )
    assert result.outcome in STOPPED
    assert expired not in result.reason
    assert "401" in result.reason or "not accepted" in result.reason or "expired" in result.reason.lower()
    no_writes(box)


# -- strict inputs (issue 9 D and E): each refused before anything runs, naming the parameter -------------
@pytest.mark.no_kernel
@pytest.mark.parametrize("given", ["-1", "0", "١٢٣٤٥", "12_345", "+12345", -1, 0])
def test_an_id_must_be_a_positive_ascii_integer(box, records, api, given) -> None:
    with pytest.raises(UsageError, match="automation_id") as caught:
        run_on(box, records, "deactivate_automation", applied(automation_id=given))
    message = str(caught.value)
    assert "positive" in message or "digits 0-9" in message  # what is wrong and how to write it
    assert box.control.stats()["total"] == 0  # nothing ran: no request at all
    assert not records.exists() or not any(records.iterdir())
    assert api.get("/api/v2/automations/12345")["automation"]["active"] is True


@pytest.mark.no_kernel
@pytest.mark.parametrize("given", ["-1", -5])
def test_a_count_cannot_be_negative(box, records, given) -> None:
    with pytest.raises(UsageError, match="limit") as caught:
        run_on(box, records, "inspect_users", {"limit": given})
    assert "negative" in str(caught.value) or "digits 0-9" in str(caught.value)
    assert box.control.stats()["total"] == 0


ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
automation_id: 12345
"""


def test_a_yaml_alias_bomb_fails_fast_with_a_clear_error(box, records, tmp_path, capsys) -> None:
    import time

    from zdlib.runner.cli import main_run

    params = tmp_path / "params.yaml"
    params.write_text(ALIAS_BOMB)
    started = time.monotonic()
    code = main_run(["deactivate_automation", "-f", str(params), "--records", str(records)])
    assert time.monotonic() - started < 5
    assert code == 2
    err = capsys.readouterr().err
    assert "alias" in err and "Write every value out in full" in err and "Nothing was run" in err
    assert box.control.stats()["total"] == 0


def test_a_list_parameter_written_with_an_alias_is_refused() -> None:
    from zdlib.runner.parameters import Declared, coerce

    spec = Declared("labels", "list", False, [], "[]", "")
    with pytest.raises(ValueError, match="alias"):
        coerce("- &x [a]\n- *x", spec)


@pytest.mark.no_kernel
def test_the_sandboxs_own_secret_in_a_parameter_is_refused_with_sandbox(records) -> None:
    """With --sandbox the sandbox's secrets are known before the parameters are checked (issue 9, 9)."""
    from zdlib.sandbox.options import Options

    password = seed.describe(Options().seed).secrets["password"]
    with pytest.raises(UsageError, match="approved_by") as caught:
        run_runbook(
            "deactivate_automation",
            applied(automation_id=12345, approved_by=f"Maria {password}"),
            records_dir=records,
            sandbox=True,
        )
    assert password not in str(caught.value)
    assert not records.exists() or not any(records.iterdir())


@pytest.mark.no_kernel
def test_a_webhook_credential_in_an_api_request_body_is_refused(box, records) -> None:
    body = (
        '{"webhook": {"name": "Slack", "endpoint": "https://hooks.example/x", "http_method": "POST", '
        '"request_format": "json", "authentication": {"type": "api_key", "add_position": "header", '
        '"data": {"name": "X-Api-Key", "value": "hook key of the team"}}}}'
    )
    with pytest.raises(UsageError, match=r"authentication\.data") as caught:
        run_on(box, records, "api_request", applied(method="POST", path="/api/v2/webhooks", body=body))
    assert "hook key of the team" not in str(caught.value)
    assert box.control.stats()["total"] == 0
