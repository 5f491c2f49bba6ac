"""The control API under `/sandbox/...`: reset, clock, faults, stats, credentials. Never Zendesk API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import seed as S
from zdlib.sandbox.clock import iso
from zdlib.sandbox.consumers import play
from zdlib.sandbox.errors import ApiError, json_response
from zdlib.sandbox.gitlab import gitlab_env
from zdlib.sandbox.identity import KEY_VARIABLE
from zdlib.sandbox.render import base_of
from zdlib.sandbox.request_parsing import body_of, state_of
from zdlib.sandbox.state import SandboxState


def credentials(state: SandboxState, base_url: str) -> dict[str, str]:
    """The seeded admin's `ZENDESK_*` environment for this instance."""
    described = S.describe(state.options.seed, state.options.users, state.options.automations)
    env = {
        "ZENDESK_URL": base_url,
        # Every credential kind is set (so each can be tried); OAuth, Zendesk's way forward, is the default.
        "ZENDESK_AUTH": "oauth",
        "ZENDESK_EMAIL": described.admin_email,
        "ZENDESK_API_TOKEN": described.secrets["api_token"],
        "ZENDESK_OAUTH_TOKEN": described.secrets["oauth_token"],
        "ZENDESK_CLIENT_ID": S.ADMIN_OAUTH_CLIENT_IDENTIFIER,
        "ZENDESK_CLIENT_SECRET": described.secrets["client_secret"],
        "ZENDESK_PASSWORD": described.secrets["password"],
    }
    if state.ca_file:
        env["ZENDESK_CA_BUNDLE"] = state.ca_file
    env.update(gitlab_env(state, base_url))  # the GitLab look-alike's URL, token and policy
    env[KEY_VARIABLE] = state.key  # proves this instance is the sandbox (identity.py)
    return env


async def reset(request: Request) -> Response:
    state = state_of(request)
    state.reset()
    return json_response({"reset": True, "now": iso(state.clock.now())})


async def clock(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        body = await body_of(request)
        if "as_of" in body:
            state.clock.set(body["as_of"])
        if "advance_days" in body or "advance_seconds" in body:
            state.clock.advance(
                days=float(body.get("advance_days", 0)), seconds=float(body.get("advance_seconds", 0))
            )
        play(state)  # the simulated consumers make the calls that fell due (consumers.py)
    return json_response({"now": iso(state.clock.now())})


async def faults(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        try:
            state.faults.settings.update(await body_of(request))
        except (ValueError, TypeError) as exc:
            raise ApiError(400, {"error": "InvalidFaults", "description": str(exc)}) from None
    return json_response(state.faults.settings.as_dict())


async def stats(request: Request) -> Response:
    state = state_of(request)
    if request.method == "DELETE":
        state.stats.reset()
    return json_response(state.stats.as_dict())


async def show_credentials(request: Request) -> Response:
    state = state_of(request)
    return json_response(credentials(state, state.base_url or base_of(request)))


def routes() -> list[Route]:
    return [
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/clock", clock, methods=["GET", "POST"]),
        Route("/sandbox/faults", faults, methods=["GET", "POST"]),
        Route("/sandbox/stats", stats, methods=["GET", "DELETE"]),
        Route("/sandbox/credentials", show_credentials, methods=["GET"]),
    ]
