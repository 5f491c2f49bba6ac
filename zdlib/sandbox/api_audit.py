"""Audit logs: list (filters, newest first by default) and show. Enterprise plans and admins only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, render
from zdlib.sandbox.auth import require
from zdlib.sandbox.pagination import paginate_list
from zdlib.sandbox.request_parsing import state_of

AUDIT_PLANS = ("enterprise", "enterprise_plus")


def _allowed(request: Request) -> None:
    require(request, "auditlogs", write=False, role="admin")
    if state_of(request).options.plan not in AUDIT_PLANS:
        raise errors.forbidden()


def _filter_values(request: Request, name: str) -> list[str]:
    params = request.query_params
    return params.getlist(f"filter[{name}]") + params.getlist(f"filter[{name}][]")


def _created_window(request: Request) -> tuple[str | None, str | None]:
    """`filter[created_at][]` twice (start, end), as Zendesk's audit-log guide sends it.

    Rails reads `filter[created_at]=a&filter[created_at]=b` (no `[]`) as the single string `b`, so the
    sandbox refuses that form instead of guessing (what Zendesk does with it is not documented)."""
    params = request.query_params
    if "filter[created_at]" in params:
        raise errors.bad_request(
            "filter[created_at] must be an array: "
            "send filter[created_at][]=<start>&filter[created_at][]=<end>"
        )
    window = params.getlist("filter[created_at][]")
    if not window:
        return None, None
    if len(window) != 2:
        raise errors.bad_request("filter[created_at][] needs two values: the start time, then the end time")
    return window[0], window[1]


async def list_audit_logs(request: Request) -> Response:
    _allowed(request)
    state = state_of(request)
    records = list(state.store.audit_logs.values())
    for name in ("source_type", "action", "ip_address"):
        wanted = _filter_values(request, name)
        if wanted:
            records = [r for r in records if str(r[name]) in wanted]
    for name in ("source_id", "actor_id"):
        wanted = _filter_values(request, name)
        if wanted:
            records = [r for r in records if str(r[name]) in wanted]
    start, end = _created_window(request)
    if start is not None:
        records = [r for r in records if start <= r["created_at"] <= end]  # type: ignore[operator]
    ascending = (request.query_params.get("sort") or "-created_at") == "created_at" or (
        request.query_params.get("sort_order") == "asc"
    )
    records.sort(key=lambda r: r["id"], reverse=not ascending)
    base = render.base_of(request)
    logs = [render.audit_log(r, base) for r in records]
    body = paginate_list(
        request, "audit_logs", logs, state.faults.settings.repeat_cursor, descending=not ascending
    )
    return errors.json_response(body)


async def show_audit_log(request: Request) -> Response:
    _allowed(request)
    record = errors.found(state_of(request).store.audit_logs.get(request.path_params["audit_log_id"]))
    return errors.json_response({"audit_log": render.audit_log(record, render.base_of(request))})


def routes() -> list[Route]:
    return [
        Route("/api/v2/audit_logs", list_audit_logs, methods=["GET"]),
        Route("/api/v2/audit_logs/{audit_log_id:int}", show_audit_log, methods=["GET"]),
    ]
