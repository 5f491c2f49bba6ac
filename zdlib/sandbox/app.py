"""The Starlette application: routes, error handlers and the sandbox middleware."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from zdlib.sandbox import (
    api_audit,
    api_automations,
    api_consumers,
    api_oauth,
    api_search,
    api_tokens,
    api_users,
    control,
    errors,
)
from zdlib.sandbox.gitlab import with_gitlab
from zdlib.sandbox.identity import ControlGuard
from zdlib.sandbox.middleware import SandboxMiddleware
from zdlib.sandbox.options import Options
from zdlib.sandbox.state import SandboxState


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.ApiError)
    return exc.response()


async def _unknown_route(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code not in (404, 405):
        return errors.json_response({"error": exc.detail}, exc.status_code)
    return errors.invalid_endpoint().response()


def create_app(options: Options | None = None, state: SandboxState | None = None) -> ControlGuard:
    """An ASGI app for one sandbox instance (the state is reachable as `app.state`)."""
    state = state or SandboxState(options or Options())
    routes = [
        *api_users.routes(),
        *api_search.routes(),
        *api_automations.routes(),
        *api_oauth.routes(),
        *api_tokens.routes(),
        *api_audit.routes(),
        *control.routes(),
        *api_consumers.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={errors.ApiError: _api_error, 404: _unknown_route, 405: _unknown_route},
    )
    app.state.sandbox = state
    wrapped = SandboxMiddleware(app, state)
    wrapped.state = state  # type: ignore[misc]
    # the GitLab look-alike at /gitlab (zdlib/sandbox/gitlab/); every /sandbox/... path needs the key
    return ControlGuard(with_gitlab(wrapped, state), state)
