"""API tokens: `GET /api/v2/api_tokens` as Zendesk documents it, and what Admin Center does to them.

Zendesk's public API has no endpoint to create, deactivate or delete API tokens: the May-2026 OpenAPI
document has no `/api/v2/api_tokens` at all, and zendesk-api.md section 5.5 finds no public evidence of
writes (a Zendesk community answer: no endpoint to create tokens, by design). So:

- `POST/PUT/DELETE /api/v2/api_tokens[/{id}]` are invented, served only with the start option
  `api_token_writes=True` (`zdlib sandbox --api-token-writes`); otherwise they answer 404 `InvalidEndpoint`
  before credentials are checked, as Zendesk does for routes it does not have (zendesk-api.md 1.2, 2.2).
- `POST /sandbox/admin-center/api_tokens/{id}` with `{"action": "deactivate" | "reactivate" | "delete"}` plays
  the person acting in Admin Center (a control endpoint, no credentials), audited as the account's admin.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, render
from zdlib.sandbox import seed as S
from zdlib.sandbox.auth import require
from zdlib.sandbox.consumers import play
from zdlib.sandbox.request_parsing import body_of, state_of, truthy, wrapped
from zdlib.sandbox.state import SandboxState

MAX_TOKENS = 256
CREATION_STOPPED = (
    "Zendesk stopped API token creation on 2026-10-27. Use an OAuth client and OAuth tokens instead "
    "(Admin Center > Apps and integrations > APIs > OAuth clients). Existing API tokens stop working "
    "on 2027-04-30."
)


ADMIN_CENTER_ACTIONS = ("deactivate", "reactivate", "delete")


def _offered(request: Request) -> None:
    """The invented writes exist only when the sandbox was started with `api_token_writes=True`."""
    if not state_of(request).options.api_token_writes:
        raise errors.invalid_endpoint()


def _token(request: Request) -> dict:
    """The token in the path; 404 once Zendesk has deleted it (60 days after its deactivation)."""
    store = state_of(request).store
    token = store.api_tokens.get(request.path_params["token_id"])
    return errors.found(None if token is None or store.api_token_purged(token) else token)


def _render(request: Request, token: dict, users: bool = False, full: bool = False) -> dict:
    state = state_of(request)
    stopped = state.store.api_token_deactivated_at(token)
    active = stopped is None
    if (
        stopped is not None and stopped > token["_updated"]
    ):  # the 30-day rule changed it: updated_at shows when
        token = {**token, "_updated": stopped}
    directory = state.store.users
    lookup = {token["assigned_user_id"]: directory.get(token["assigned_user_id"])} if users else None
    return render.api_token(token, active, render.base_of(request), lookup, full)  # type: ignore[arg-type]


async def list_api_tokens(request: Request) -> Response:
    require(request, None, write=False, role="admin")
    users = bool(truthy(request.query_params.get("include_users")))
    store = state_of(request).store
    play(state_of(request))
    tokens = sorted(
        (t for t in store.api_tokens.values() if not store.api_token_purged(t)), key=lambda t: t["id"]
    )
    return errors.json_response({"api_tokens": [_render(request, t, users) for t in tokens]})


async def show_api_token(request: Request) -> Response:
    require(request, None, write=False, role="admin")
    return errors.json_response({"api_token": _render(request, _token(request), users=True)})


async def create_api_token(request: Request) -> Response:
    _offered(request)
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    if not state.clock.token_creation_allowed():
        raise errors.ApiError(403, {"error": "APITokenCreationDisabled", "description": CREATION_STOPPED})
    fields = wrapped(await body_of(request), "api_token")
    description = str(fields.get("description") or "").strip()
    if not description:
        raise errors.record_invalid("description", "Description: cannot be blank", "BlankValue")
    store = state.store
    if len(store.api_tokens) >= MAX_TOKENS:
        raise errors.record_invalid("base", f"An account can have at most {MAX_TOKENS} API tokens", "TooMany")
    now = state.clock.now()
    token = {
        "id": max(store.api_tokens, default=0) + 1,
        "user_id": principal.id,
        "assigned_user_id": principal.id,
        "description": description,
        "active": True,
        "_created": now,
        "_updated": now,
        "_last_used": None,
        "_reactivated": None,
        "_deactivated": None,
        "_value": store.new_secret("api_token", 40),
    }
    store.api_tokens[token["id"]] = token
    store.audit(principal.id, "create", "apitoken", token["id"], description, "Created API token")
    return errors.json_response({"api_token": _render(request, token, users=True, full=True)}, 201)


async def update_api_token(request: Request) -> Response:
    _offered(request)
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    token = _token(request)
    fields = wrapped(await body_of(request), "api_token")
    now = state.clock.now()
    changes = []
    if "description" in fields and fields["description"] != token["description"]:
        token["description"] = str(fields["description"])
        changes.append("Description changed")
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            raise errors.record_invalid("active", "Active: must be true or false")
        was_active = state.store.api_token_active(token, now)
        if fields["active"] and not was_active:
            _reactivate(state, token, now)
            changes.append("Reactivated")
        elif not fields["active"] and was_active:
            token["active"], token["_deactivated"] = False, now
            changes.append("Deactivated")
    token["_updated"] = now
    change = "; ".join(changes) or "No changes"
    state.store.audit(principal.id, "update", "apitoken", token["id"], token["description"], change)
    return errors.json_response({"api_token": _render(request, token, users=True)})


async def delete_api_token(request: Request) -> Response:
    _offered(request)
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    token = _token(request)
    del state.store.api_tokens[token["id"]]
    state.store.audit(
        principal.id, "destroy", "apitoken", token["id"], token["description"], "Deleted API token"
    )
    return Response(status_code=204)


def _deactivate(state: SandboxState, token: dict, actor_id: int) -> None:
    if state.store.api_token_active(token):
        token["active"], token["_updated"] = False, state.clock.now()
        token["_deactivated"] = token["_updated"]
        change = "Deactivated API token (Admin Center)"
    else:
        change = "No changes (Admin Center: already inactive)"
    state.store.audit(actor_id, "update", "apitoken", token["id"], token["description"], change)


def _reactivate(state: SandboxState, token: dict, now: datetime) -> None:
    """A deactivated token working again (possible until Zendesk deletes it, 60 days after its deactivation,
    and never after 2027-04-30: zendesk-2026-12-updates.md section 2 rows 1 and 3)."""
    if state.clock.api_tokens_retired():
        raise errors.record_invalid("active", "API tokens were retired on 2027-04-30", "Retired")
    token["active"], token["_reactivated"], token["_deactivated"] = True, now, None


def _delete(state: SandboxState, token: dict, actor_id: int) -> None:
    del state.store.api_tokens[token["id"]]
    state.store.audit(
        actor_id, "destroy", "apitoken", token["id"], token["description"], "Deleted API token (Admin Center)"
    )


async def admin_center_action(request: Request) -> Response:
    """The sandbox plays the person in Admin Center > Apps and integrations > APIs > API tokens."""
    state = state_of(request)
    token = _token(request)
    body = await body_of(request)
    action = body.get("action")
    if action not in ADMIN_CENTER_ACTIONS:
        raise errors.ApiError(
            400,
            {
                "error": "InvalidAction",
                "description": f"action must be one of {', '.join(ADMIN_CENTER_ACTIONS)}",
            },
        )
    actor_id = int(body.get("actor_id") or S.ADMIN_ID)
    if action == "deactivate":
        _deactivate(state, token, actor_id)
        return errors.json_response({"api_token": _render(request, token, users=True)})
    if action == "reactivate":
        if state.store.api_token_active(token):
            change = "No changes (Admin Center: already active)"
        else:
            _reactivate(state, token, state.clock.now())
            token["_updated"] = state.clock.now()
            change = "Reactivated API token (Admin Center)"
        state.store.audit(actor_id, "update", "apitoken", token["id"], token["description"], change)
        return errors.json_response({"api_token": _render(request, token, users=True)})
    _delete(state, token, actor_id)
    return errors.json_response({"deleted": token["id"]})


def routes() -> list[Route]:
    return [
        Route("/api/v2/api_tokens", list_api_tokens, methods=["GET"]),
        Route("/api/v2/api_tokens", create_api_token, methods=["POST"]),
        Route("/api/v2/api_tokens/{token_id:int}", show_api_token, methods=["GET"]),
        Route("/api/v2/api_tokens/{token_id:int}", update_api_token, methods=["PUT"]),
        Route("/api/v2/api_tokens/{token_id:int}", delete_api_token, methods=["DELETE"]),
        Route("/sandbox/admin-center/api_tokens/{token_id:int}", admin_center_action, methods=["POST"]),
    ]
