"""The workloads as a zdlib user writes them (run in a child process by bench.measure)."""

from __future__ import annotations

from typing import Any

from bench.tally import IdTally


def _client(env: dict[str, str]) -> Any:
    import zdlib

    return zdlib.Client(zdlib.load_settings(environ=env))


def _stats(client: Any) -> dict[str, Any]:
    stats = client.stats
    return (
        stats if isinstance(stats, dict) else {k: v for k, v in vars(stats).items() if not k.startswith("_")}
    )


def list_users_then_deactivate(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workloads 1 and 3: every user by cursor, then every active automation deactivated with `bulk`."""
    tally, result = IdTally(), {}
    with _client(env) as client:
        try:
            for user in client.users.iterate():
                tally.add(user["id"])
        except Exception as error:
            result["list_error"] = f"{type(error).__name__}: {error}"[:300]
        automations = [a for a in client.automations.list() if a["active"]]
        outcomes = client.bulk(lambda a: client.automations.deactivate(a["id"]), automations)
        errors = [str(r.error)[:200] for r in outcomes if r.error is not None]
        result.update(
            tally.as_dict(),
            updates=len(automations),
            update_errors=len(errors),
            first_errors=errors[:3],
            client_stats=_stats(client),
        )
    return result


def rename_automations(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 2: N automation updates through `client.bulk` at its default concurrency."""
    with _client(env) as client:
        automations = list(client.automations.list())[: params["count"]]
        outcomes = client.bulk(
            lambda a: client.automations.update(a["id"], {"title": f"bench-{a['id']}"}), automations
        )
        errors = [str(r.error)[:200] for r in outcomes if r.error is not None]
        return {
            "updates": len(automations),
            "update_errors": len(errors),
            "first_errors": errors[:3],
            "client_stats": _stats(client),
        }


def census(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 4: every user through the inspect_users census (UserCensus), one page held at a time."""
    from zdlib.runbook.census import UserCensus

    tally, summary = IdTally(), UserCensus(inactive_days=90)
    with _client(env) as client:
        for user in client.users.iterate():
            tally.add(user["id"])
            summary.add(user)
        summary.counts()
    return {**tally.as_dict(), "census_total": summary.total, "roles": dict(summary.roles)}


def plain_inspect(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 5's baseline: the calls inspect_users makes, from a plain script."""
    from zdlib.runbook.census import UserCensus, list_users

    with _client(env) as client:
        client.users.me()
        users, _expected = list_users(client)
        summary = UserCensus(inactive_days=90)
        for user in users:
            summary.add(user)
        summary.counts()
        summary.login_age_series()
    return {"items_seen": summary.total}


def census_counts(env: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Workload 6: the census inspect_users answers by default, from Zendesk's count endpoints."""
    from zdlib.runbook.census_counts import count_census

    with _client(env) as client:
        measures, _notes = count_census(client)
    counts = {m.measure: m.count for m in measures}
    return {"census_total": counts["users"], "counts": counts, "items_seen": counts["users"]}
