"""Readable views of Zendesk objects for records: automations, users, credentials."""

from __future__ import annotations

from typing import Any

import pandas as pd

from zdlib.runbook.display import note, table

#: Time-based conditions of automations: the field names an hours count (Zendesk developer docs, "Conditions
#: reference", Automations: time-based conditions; the `*_business_hours` operators count business hours).
HOURS_FIELDS = {
    "NEW": "hours since created",
    "OPEN": "hours since open",
    "PENDING": "hours since pending",
    "HOLD": "hours since on-hold",
    "SOLVED": "hours since solved",
    "CLOSED": "hours since closed",
    "assigned_at": "hours since assigned",
    "updated_at": "hours since update",
    "requester_updated_at": "hours since requester update",
    "assignee_updated_at": "hours since assignee update",
    "due_date": "hours since due date",
    "until_due_date": "hours until due date",
}


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
    rows = [condition_row(group, c) for group in ("all", "any") for c in conditions.get(group) or []]
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


def condition_row(group: str, condition: dict[str, Any]) -> dict[str, Any]:
    """One condition for people: `SOLVED greater_than 96` reads "hours since solved | greater than | 96
    hours"; the field's API name stays in brackets so the row can be matched to the JSON."""
    field, operator = str(condition.get("field") or ""), str(condition.get("operator") or "")
    value = condition.get("value")
    hours = HOURS_FIELDS.get(field)
    business = operator.endswith("_business_hours")
    if hours:
        unit = "business hours" if business else "hours"
        value = f"{value} {unit}"
        operator = operator.removesuffix("_business_hours")
        field = f"{hours} ({field})"
    match = {"all": "all of", "any": "any of"}.get(group, group)
    return {"match": match, "field": field, "operator": operator.replace("_", " "), "value": value}
