"""The same workloads written with Zenpy 2.0.57, pointed at the loopback sandbox (peers.md section 7).

Zenpy mounts its retry adapter for https:// only; the sandbox speaks http://, so the adapter is mounted
for http:// too (peers.md 7.2 (a)), which gives Zenpy the 5xx retries it has in production.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from bench.tally import IdTally


def _client(env: dict[str, str]) -> Any:
    import requests
    from requests.adapters import HTTPAdapter
    from zenpy import Zenpy

    parts = urlsplit(env["ZENDESK_URL"])
    os.environ["ZENPY_FORCE_NETLOC"] = parts.netloc
    os.environ["ZENPY_FORCE_SCHEME"] = parts.scheme
    session = requests.Session()
    session.mount("http://", HTTPAdapter(**Zenpy.http_adapter_kwargs()))
    return Zenpy(
        subdomain="bench", email=env["ZENDESK_EMAIL"], token=env["ZENDESK_API_TOKEN"], session=session
    )


def _error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def list_users_then_deactivate(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workloads 1 and 3, sequential as Zenpy is: every user, then every active automation deactivated."""
    client, tally, result, errors = _client(env), IdTally(), {}, []
    try:
        for user in client.users():
            tally.add(user.id)
    except Exception as error:
        result["list_error"] = _error(error)
    automations = [a for a in client.automations() if a.active]
    for automation in automations:
        automation.active = False
        try:
            client.automations.update(automation)
        except Exception as error:
            errors.append(_error(error))
    result.update(
        tally.as_dict(), updates=len(automations), update_errors=len(errors), first_errors=errors[:3]
    )
    return result


def rename_automations(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 2: N automation updates, one after the other."""
    client, errors = _client(env), []
    automations = list(client.automations())[: params["count"]]
    for automation in automations:
        automation.title = f"bench-{automation.id}"
        try:
            client.automations.update(automation)
        except Exception as error:
            errors.append(_error(error))
    return {"updates": len(automations), "update_errors": len(errors), "first_errors": errors[:3]}


def census(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 4: every user through the same census, from Zenpy's user objects."""
    from zdlib.runbook.census import USER_COLUMNS, UserCensus

    client, tally, summary = _client(env), IdTally(), UserCensus(inactive_days=90)
    for user in client.users():
        tally.add(user.id)
        summary.add({column: getattr(user, column, None) for column in USER_COLUMNS})
    summary.counts()
    return {**tally.as_dict(), "census_total": summary.total, "roles": dict(summary.roles)}
