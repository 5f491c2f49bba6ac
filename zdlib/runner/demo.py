"""`zdlib demo`: every runbook in `notebooks/demo.yaml`, in order, against one in-process sandbox."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from zdlib.record.channel import HANDOFF_VARIABLE
from zdlib.record.layout import records_home
from zdlib.record.outcome import Outcome, outcome_of
from zdlib.runner import records
from zdlib.runner.cli import shown_path
from zdlib.runner.environment import sandbox_instance
from zdlib.runner.index_page import PAGE_NAME
from zdlib.runner.locate import notebook_folders
from zdlib.runner.run import UsageError, run_runbook
from zdlib.yamlfile import strict_yaml

PLAN_NAME = "demo.yaml"


ADMIN_CENTER_DONE = "done"  # the outcome of a step where the sandbox plays the person in Admin Center
SANDBOX = "(sandbox)"  # the runbook column of a step that moves the sandbox's clock or its consumers
ISSUED_CLIENT = "issued_client"  # `switch_to`: the OAuth client the demo's last create_token run issued
CAMPAIGN_RUNBOOK = "migrate_api_tokens"


@dataclass(frozen=True)
class DemoStep:
    """One line of the demo plan: a runbook run, or (`admin_center`) the sandbox playing a person."""

    runbook: str
    parameters: dict[str, Any]
    expect: str
    admin_center: dict[str, Any] | None = None  # e.g. {"api_token": 3, "action": "deactivate"}
    sandbox: dict[str, Any] | None = None  # {"advance_days": 8} or {"consumer": NAME, "switch_to": ...}


@dataclass(frozen=True)
class DemoRow:
    step: DemoStep
    outcome: str
    reason: str
    html: Path | None
    pushed_url: str = ""  # the record's page in the sandbox's records project, once pushed there

    @property
    def as_expected(self) -> bool:
        return self.outcome == self.step.expect


def load_plan(path: Path) -> list[DemoStep]:
    """A YAML list of `{runbook, parameters, expect}`; raises ValueError naming the bad entry."""
    loaded = strict_yaml(path.read_text(), aliases=True) or []
    if not isinstance(loaded, list):
        raise ValueError(f"{path} must be a YAML list of {{runbook, parameters, expect}}")
    steps = []
    for number, item in enumerate(loaded, start=1):
        if isinstance(item, Mapping) and isinstance(item.get("admin_center"), Mapping):
            steps.append(_admin_center_step(path, number, dict(item["admin_center"])))
            continue
        if isinstance(item, Mapping) and isinstance(item.get("sandbox"), Mapping):
            steps.append(_sandbox_step(path, number, dict(item["sandbox"])))
            continue
        if not isinstance(item, Mapping) or "runbook" not in item:
            raise ValueError(f"{path} entry {number}: needs at least a 'runbook' key")
        expect = str(item.get("expect", "planned"))
        if outcome_of(expect) is None:
            raise ValueError(f"{path} entry {number}: expect must be one of {', '.join(Outcome)}")
        steps.append(DemoStep(str(item["runbook"]), dict(item.get("parameters") or {}), expect))
    return steps


def _admin_center_step(path: Path, number: int, action: dict[str, Any]) -> DemoStep:
    """`{admin_center: {api_token: ID, action: deactivate|delete}}`: what a person does in Admin Center."""
    if not isinstance(action.get("api_token"), int) or action.get("action") not in ("deactivate", "delete"):
        raise ValueError(
            f"{path} entry {number}: admin_center needs api_token: <id> and action: deactivate|delete"
        )
    return DemoStep("(Admin Center, played by the sandbox)", {}, ADMIN_CENTER_DONE, action)


def _sandbox_step(path: Path, number: int, action: dict[str, Any]) -> DemoStep:
    """`{sandbox: {advance_days: N}}` or `{sandbox: {consumer: NAME, switch_to: issued_client}}`."""
    days = action.get("advance_days")
    clock = set(action) == {"advance_days"} and isinstance(days, int | float) and 0 < days <= 365
    switch = set(action) == {"consumer", "switch_to"} and action.get("switch_to") == ISSUED_CLIENT
    if not (clock or switch):
        raise ValueError(
            f"{path} entry {number}: sandbox needs advance_days: <1..365> or consumer: <name> with "
            f"switch_to: {ISSUED_CLIENT}"
        )
    return DemoStep(SANDBOX, {}, ADMIN_CENTER_DONE, sandbox=action)


def _control(instance_env: Mapping[str, str], path: str, body: dict[str, Any]) -> httpx.Response:
    """A call to the sandbox's control API (never Zendesk's), with the sandbox's key."""
    verify = instance_env.get("ZENDESK_CA_BUNDLE") or True
    key = {"X-Sandbox-Key": instance_env.get("ZDLIB_SANDBOX_KEY", "")}
    return httpx.post(
        f"{instance_env['ZENDESK_URL']}{path}", json=body, headers=key, verify=verify, timeout=10
    )


def play_sandbox(step: DemoStep, instance_env: Mapping[str, str], issued_client: int | None) -> DemoRow:
    """Move the sandbox's clock (its consumers make the calls that fall due) or switch a consumer to the
    OAuth client the demo issued: what time and an integration's owner do in a real campaign."""
    action = step.sandbox or {}
    if "advance_days" in action:
        answer = _control(instance_env, "/sandbox/clock", {"advance_days": action["advance_days"]})
        now = answer.json().get("now") if answer.is_success else ""
        said = f"the clock moved {action['advance_days']} days: now {now}"
    elif issued_client is None:
        return DemoRow(step, "failed", "no create_token run of this demo issued a client to switch to", None)
    else:
        body = {"action": "switch", "client_id": issued_client}
        answer = _control(instance_env, f"/sandbox/consumers/{action['consumer']}", body)
        said = f"consumer {action['consumer']} now calls with OAuth client {issued_client}"
    if answer.status_code != 200:
        return DemoRow(step, "failed", f"{answer.status_code} {answer.text[:200]}", None)
    return DemoRow(step, ADMIN_CENTER_DONE, said, None)


def issued_client_of(summary: Mapping[str, Any] | None) -> int | None:
    """The OAuth client a create_token run issued (its verified `oauth_client` change), or None."""
    for change in (summary or {}).get("changes") or []:
        if change.get("object") == "oauth_client" and change.get("status") == "verified":
            return int(change["id"])
    return None


def play_admin_center(step: DemoStep, instance_env: Mapping[str, str]) -> DemoRow:
    """The sandbox's control endpoint stands in for the person (POST /sandbox/admin-center/api_tokens/ID)."""
    action = step.admin_center or {}
    answer = _control(instance_env, f"/sandbox/admin-center/api_tokens/{action['api_token']}",
                      {"action": action["action"]})  # fmt: skip
    if answer.status_code != 200:
        return DemoRow(step, "failed", f"{answer.status_code} {answer.text[:200]}", None)
    return DemoRow(step, ADMIN_CENTER_DONE, f"{action['action']} API token {action['api_token']}", None)


def run_plan(
    steps: list[DemoStep], instance_env: Mapping[str, str], records_dir: Path | None, notebooks: Path
) -> list[DemoRow]:
    """Run each step through the same path as `zdlib run`; a usage error is a failed row."""
    rows: list[DemoRow] = []
    issued: int | None = None
    for step in steps:
        if step.sandbox is not None:
            print(f"- the sandbox: {short_parameters(step.sandbox)}", flush=True)
            rows.append(play_sandbox(step, instance_env, issued))
            continue
        if step.admin_center is not None:
            print(f"- a person in Admin Center: {step.admin_center['action']} API token "
                  f"{step.admin_center['api_token']} (the sandbox plays the person)", flush=True)  # fmt: skip
            rows.append(play_admin_center(step, instance_env))
            continue
        print(f"- {step.runbook} {short_parameters(step.parameters)}", flush=True)
        try:
            result = run_runbook(
                notebooks / f"{step.runbook}.ipynb",
                step.parameters,
                records_dir=records_dir,
                instance_env=instance_env,
            )
            pushed = result.pushed.urls.get("html", "") if result.pushed and result.pushed.state.done else ""
            if step.runbook == "create_token":
                issued = issued_client_of(result.summary) or issued
            rows.append(DemoRow(step, result.outcome, result.reason, result.html, pushed))
        except UsageError as exc:
            rows.append(DemoRow(step, "usage error", str(exc).splitlines()[0], None))
    return rows


def short_parameters(parameters: Mapping[str, Any], width: int = 60) -> str:
    text = " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in parameters.items())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_table(rows: list[DemoRow]) -> str:
    table = [
        {
            "runbook": row.step.runbook,
            "parameters": short_parameters(row.step.parameters, 40),
            "expected": row.step.expect,
            "outcome": row.outcome + ("" if row.as_expected else "  <-- unexpected"),
            "record": shown_path(row.html) if row.html else "-",
        }
        for row in rows
    ]
    return records.format_table(table, ("runbook", "parameters", "expected", "outcome", "record"))


def print_campaign(records_dir: Path) -> None:
    """The campaign's state as `zdlib campaign` prints it (the demo's last word on the API tokens)."""
    from zdlib.runner import campaign_cli

    print(f"\n$ zdlib campaign --records {shown_path(records_dir)}")
    campaign_cli.main(["--records", str(records_dir)])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zdlib demo", description=__doc__)
    parser.add_argument("--records", type=Path, help="records folder (default: records/ at the repo root)")
    args = parser.parse_args(argv)
    folders = notebook_folders()
    plan = folders[0] / PLAN_NAME if folders else None
    if plan is None or not plan.is_file():
        print(f"zdlib demo: not yet available (no notebooks/{PLAN_NAME})")
        return 0
    try:
        steps = load_plan(plan)
    except (ValueError, yaml.YAMLError) as exc:
        print(f"zdlib demo: {exc}")
        return 2
    print(f"Starting a sandbox and running {len(steps)} runbook steps from {shown_path(plan)}:")
    # The sandbox's secrets go to a demo hand-off folder (git-ignored), not the operator's real one.
    os.environ.setdefault(HANDOFF_VARIABLE, str(plan.parent.parent / "handoff" / "demo"))
    records_dir = args.records or records_home(plan.parent.parent)
    with sandbox_instance() as instance_env:
        rows = run_plan(steps, instance_env, records_dir, plan.parent)
    print()
    print(summary_table(rows))
    page = Path(records_dir).resolve() / PAGE_NAME
    print(f"\nEvery run, with its record: {page.as_uri()} (open it in a browser; it works offline)")
    print("List them with: zdlib records; check the chain and every record's hash: zdlib records verify")
    if any(row.step.runbook == CAMPAIGN_RUNBOOK for row in rows):
        print_campaign(Path(records_dir))
    pushed = [row.pushed_url for row in rows if row.pushed_url]
    if pushed:  # the look-alike names the page as GitLab would; the files are in its API, not on the web
        print(f"The last record in the sandbox's GitLab records project: {pushed[-1]}")
    unexpected = [row for row in rows if not row.as_expected]
    if unexpected:
        print(f"\n{len(unexpected)} step(s) did not end as expected:")
        for row in unexpected:
            print(f"  {row.step.runbook}: expected {row.step.expect}, got {row.outcome} ({row.reason})")
        return 1
    print("\nEvery step ended as expected. The sandbox has been stopped.")
    return 0
