"""Control endpoints for the simulated consumers (invented, under `/sandbox/`, so behind `X-Sandbox-Key`).

`GET /sandbox/consumers` lists them; `POST /sandbox/consumers/{name}` switches one to a handed-off OAuth token
(`oauth_token_id`, or the newest live token of `client_id`) or retires it. See `consumers.py`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox.clock import iso
from zdlib.sandbox.consumers import Mode, play
from zdlib.sandbox.errors import ApiError, json_response
from zdlib.sandbox.request_parsing import body_of, state_of
from zdlib.sandbox.state import SandboxState


def _show(consumer: dict) -> dict:
    return {
        **{k: v for k, v in consumer.items() if not k.startswith("_")},
        "last_call": iso(consumer["_played"]),
    }


def _bad(message: str) -> ApiError:
    return ApiError(400, {"error": "InvalidConsumerAction", "description": message})


def _handed_off(state: SandboxState, body: dict) -> int:
    """The OAuth token a switch hands off: `oauth_token_id`, or the newest live token of `client_id`."""
    store, now = state.store, state.clock.now()
    if "oauth_token_id" in body:
        token_id = body["oauth_token_id"]
        if token_id not in store.oauth_tokens:
            raise _bad(f"no OAuth token {token_id!r}: list them with GET /api/v2/oauth/tokens")
        return int(token_id)
    if "client_id" not in body:
        raise _bad("switch needs oauth_token_id or client_id")
    live = [
        t["id"]
        for t in store.oauth_tokens.values()
        if t["client_id"] == body["client_id"] and (t["_expires"] is None or t["_expires"] > now)
    ]
    if not live:
        raise _bad(f"OAuth client {body['client_id']!r} has no live token: grant one with POST /oauth/tokens")
    return max(live)


async def act(request: Request) -> Response:
    """`{"action": "switch", "oauth_token_id" | "client_id": N}` or `{"action": "retire"}`."""
    state = state_of(request)
    consumer = state.store.consumers.get(request.path_params["name"])
    if consumer is None:
        raise ApiError(
            404, {"error": "RecordNotFound", "description": "no such consumer: GET /sandbox/consumers"}
        )
    body = await body_of(request)
    play(state)  # calls due before the change are made with the old credential
    if body.get("action") == "switch":
        consumer["oauth_token_id"], consumer["mode"] = _handed_off(state, body), Mode.OAUTH
    elif body.get("action") == "retire":
        consumer["mode"] = Mode.RETIRED
    else:
        raise _bad("action must be switch or retire")
    return json_response({"consumer": _show(consumer)})


async def list_consumers(request: Request) -> Response:
    state = state_of(request)
    play(state)
    return json_response({"consumers": [_show(c) for c in state.store.consumers.values()]})


def routes() -> list[Route]:
    return [
        Route("/sandbox/consumers", list_consumers, methods=["GET"]),
        Route("/sandbox/consumers/{name}", act, methods=["POST"]),
    ]
