"""Readable views of Zendesk objects for records: automations, users, credentials."""

from __future__ import annotations

from typing import Any

import pandas as pd

from zdlib.runbook.display import note, table


def show_automation(automation: dict[str, Any]) -> None:
    """Title, state, position, conditions and actions of an automation."""
    note(
        "**{title}** (id {id}): {state}, position {position}, updated {updated}{default}.",
        title=automation.get("title"),
        id=automation.get("id"),
        state="active" if automation.get("active") else "inactive",
        position=automation.get("position"),
        updated=automation.get("updated_at"),
        default=", a Zendesk default" if automation.get("default") else "",
    )
    conditions = automation.get("conditions") or {}
    rows = [
        {"match": group, "field": c.get("field"), "operator": c.get("operator"), "value": c.get("value")}
        for group in ("all", "any")
        for c in conditions.get(group) or []
    ]
    if rows:
        note("Conditions:")
        table(pd.DataFrame(rows))
    actions = automation.get("actions") or []
    if actions:
        note("Actions:")
        table(pd.DataFrame([{"field": a.get("field"), "value": a.get("value")} for a in actions]))


def show_object(label: str, obj: dict[str, Any], fields: list[str]) -> None:
    """A one-row table of chosen fields of an object."""
    note("{label}:", label=label)
    table(pd.DataFrame([{f: obj.get(f) for f in fields}]))
