"""Automations: list, active, search, show, create, update, delete, update_many, destroy_many."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, render
from zdlib.sandbox.auth import require
from zdlib.sandbox.clock import iso
from zdlib.sandbox.pagination import is_cursor_request, offset_page, offset_window, paginate_list
from zdlib.sandbox.request_parsing import body_of, boolean_param, id_list, state_of, wrapped
from zdlib.sandbox.sorting import automation_order, sort_field

TIME_FIELDS = {
    "NEW",
    "OPEN",
    "PENDING",
    "HOLD",
    "SOLVED",
    "CLOSED",
    "assigned_at",
    "updated_at",
    "requester_updated_at",
    "assignee_updated_at",
    "due_date",
    "until_due_date",
}
NULLIFYING_FIELDS = {"status", "type", "group_id", "assignee_id", "requester_id"}


def _listed(request: Request, active_only: bool = False) -> list[dict]:
    """The automations in the order asked for: `sort_by`/`sort_order` (offset pages and search) or
    `sort=[-]id|created_at` (any pagination); id order otherwise."""
    state = state_of(request)
    base = render.base_of(request)
    wanted = True if active_only else boolean_param(request, "active")
    records = sorted(state.store.automations.values(), key=lambda a: a["id"])
    field, descending = sort_field(request, ("id", "created_at"))  # created_at follows id order here
    order = automation_order(request)
    if order is not None:
        if is_cursor_request(request):
            raise errors.bad_request("sort_by and sort_order work with offset pagination only")
        key, order_descending = order
        records.sort(key=lambda a: (a[key], a["id"]), reverse=order_descending)
    elif field is not None and descending:
        records.reverse()
    return [render.automation(a, base) for a in records if wanted is None or a["active"] == wanted]


def _paginated(request: Request, records: list[dict]) -> dict:
    state = state_of(request)
    descending = is_cursor_request(request) and sort_field(request, ("id", "created_at"))[1]
    return paginate_list(
        request, "automations", records, state.faults.settings.repeat_cursor, descending=descending
    )


async def list_automations(request: Request) -> Response:
    require(request, "automations", write=False)
    return errors.json_response(_paginated(request, _listed(request)))


async def list_active(request: Request) -> Response:
    require(request, "automations", write=False)
    return errors.json_response(_paginated(request, _listed(request, True)))


async def search_automations(request: Request) -> Response:
    require(request, "automations", write=False)
    query = request.query_params.get("query")
    if not query:
        raise errors.bad_request("query is required")
    page, per_page = offset_window(request, search=True)
    hits = [a for a in _listed(request) if query.lower() in a["title"].lower()]
    start = (page - 1) * per_page
    return errors.json_response(
        offset_page(request, "automations", len(hits), hits[start : start + per_page], page, per_page)
    )


def _get(request: Request, automation_id: int) -> dict:
    return errors.found(state_of(request).store.automations.get(automation_id))


async def show_automation(request: Request) -> Response:
    require(request, "automations", write=False)
    record = _get(request, request.path_params["automation_id"])
    return errors.json_response({"automation": render.automation(record, render.base_of(request))})


def _validate(fields: dict, creating: bool) -> None:
    if creating or "title" in fields:
        title = fields.get("title")
        if not isinstance(title, str) or not title.strip():
            raise errors.record_invalid("title", "Title: cannot be blank", "BlankValue")
    if creating or "conditions" in fields or "actions" in fields:
        conditions = fields.get("conditions") or {}
        if not isinstance(conditions, dict):
            raise errors.record_invalid("conditions", "Conditions: must be an object with all/any")
        listed = [
            c for c in (conditions.get("all") or []) + (conditions.get("any") or []) if isinstance(c, dict)
        ]
        names = {c.get("field") for c in listed}
        if not names & TIME_FIELDS:
            raise errors.record_invalid(
                "base", "Automations must contain a time-based condition", "InvalidValue"
            )
        if not names & NULLIFYING_FIELDS:
            raise errors.record_invalid(
                "base",
                "Automations must have a condition that checks status, type, group, assignee or requester",
                "InvalidValue",
            )
        actions = fields.get("actions")
        if not isinstance(actions, list) or not actions:
            raise errors.record_invalid("actions", "Actions: cannot be blank", "BlankValue")
    if "active" in fields and not isinstance(fields["active"], bool):
        raise errors.record_invalid("active", "Active: must be true or false")


def _describe(before: dict, after: dict) -> str:
    changed = [
        k for k in ("title", "active", "position", "conditions", "actions") if before.get(k) != after.get(k)
    ]
    if changed == ["active"]:
        return "Activated" if after["active"] else "Deactivated"
    return "Changed " + ", ".join(changed) if changed else "No changes"


async def create_automation(request: Request) -> Response:
    principal = require(request, "automations", write=True, role="admin")
    state = state_of(request)
    fields = wrapped(await body_of(request), "automation")
    _validate(fields, creating=True)
    store = state.store
    now = iso(state.clock.now())
    record = {
        "id": store.next_id(),
        "title": fields["title"],
        "raw_title": fields["title"],
        "active": fields.get("active", True),
        "default": False,
        "position": fields.get(
            "position", max((a["position"] for a in store.automations.values()), default=0) + 1
        ),
        "conditions": {
            "all": fields["conditions"].get("all") or [],
            "any": fields["conditions"].get("any") or [],
        },
        "actions": fields["actions"],
        "created_at": now,
        "updated_at": now,
    }
    store.automations[record["id"]] = record
    store.audit(principal.id, "create", "rule", record["id"], record["title"], "Created automation")
    return errors.json_response({"automation": render.automation(record, render.base_of(request))}, 201)


def _apply(state_store, record: dict, fields: dict, now: str) -> dict:
    updated = dict(record)
    for key in ("title", "active", "position"):
        if key in fields:
            updated[key] = fields[key]
    if "title" in fields:
        updated["raw_title"] = fields["title"]
    if "conditions" in fields or "actions" in fields:  # Zendesk replaces both arrays
        conditions = fields.get("conditions") or {}
        updated["conditions"] = {"all": conditions.get("all") or [], "any": conditions.get("any") or []}
        updated["actions"] = fields.get("actions") or []
    if updated != record:
        updated["updated_at"] = now
    state_store.automations[record["id"]] = updated
    return updated


async def update_automation(request: Request) -> Response:
    principal = require(request, "automations", write=True, role="admin")
    state = state_of(request)
    record = _get(request, request.path_params["automation_id"])
    fields = wrapped(await body_of(request), "automation")
    _validate(fields, creating=False)
    updated = _apply(state.store, record, fields, iso(state.clock.now()))  # type: ignore[arg-type]
    state.store.audit(
        principal.id, "update", "rule", record["id"], updated["title"], _describe(record, updated)
    )
    return errors.json_response({"automation": render.automation(updated, render.base_of(request))})


async def delete_automation(request: Request) -> Response:
    principal = require(request, "automations", write=True, role="admin")
    state = state_of(request)
    record = _get(request, request.path_params["automation_id"])
    del state.store.automations[record["id"]]
    state.store.audit(principal.id, "destroy", "rule", record["id"], record["title"], "Deleted automation")
    return Response(status_code=204)


async def update_many(request: Request) -> Response:
    principal = require(request, "automations", write=True, role="admin")
    state = state_of(request)
    items = (await body_of(request)).get("automations")
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise errors.bad_request("Expected automations: [{id, position, active}]")
    records = [_get(request, int(item["id"])) for item in items]
    for item in items:
        _validate({k: v for k, v in item.items() if k in ("active",)}, creating=False)
    now = iso(state.clock.now())
    base = render.base_of(request)
    out = []
    for record, item in zip(records, items, strict=True):
        updated = _apply(state.store, record, {k: item[k] for k in ("position", "active") if k in item}, now)
        state.store.audit(
            principal.id, "update", "rule", record["id"], updated["title"], _describe(record, updated)
        )
        out.append(render.automation(updated, base))
    return errors.json_response(
        {"automations": out, "count": len(out), "next_page": None, "previous_page": None}
    )


async def destroy_many(request: Request) -> Response:
    principal = require(request, "automations", write=True, role="admin")
    state = state_of(request)
    records = [_get(request, i) for i in id_list(request.query_params.get("ids"))]
    for record in records:
        state.store.automations.pop(record["id"], None)
        state.store.audit(
            principal.id, "destroy", "rule", record["id"], record["title"], "Deleted automation"
        )
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("/api/v2/automations", list_automations, methods=["GET"]),
        Route("/api/v2/automations", create_automation, methods=["POST"]),
        Route("/api/v2/automations/active", list_active, methods=["GET"]),
        Route("/api/v2/automations/search", search_automations, methods=["GET"]),
        Route("/api/v2/automations/update_many", update_many, methods=["PUT"]),
        Route("/api/v2/automations/destroy_many", destroy_many, methods=["DELETE"]),
        Route("/api/v2/automations/{automation_id:int}", show_automation, methods=["GET"]),
        Route("/api/v2/automations/{automation_id:int}", update_automation, methods=["PUT"]),
        Route("/api/v2/automations/{automation_id:int}", delete_automation, methods=["DELETE"]),
    ]
