"""Who is calling: API token Basic, OAuth Bearer, legacy password Basic, or nobody.

Also the role and scope checks every handler asks for.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from starlette.requests import Request

from zdlib.sandbox import errors
from zdlib.sandbox.seed import user_password
from zdlib.sandbox.state import SandboxState

STAFF_ROLES = ("admin", "agent")


@dataclass(frozen=True)
class Principal:
    user: dict
    kind: str  # "token" | "oauth" | "password"
    scopes: tuple[str, ...] | None = None  # OAuth only
    oauth_token: dict | None = None

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def role(self) -> str:
        return self.user["role"]


def _usable(user: dict | None) -> bool:
    return bool(user and user["active"] and user["verified"] and not user["suspended"])


def authenticate(request: Request, state: SandboxState) -> Principal | None:
    """The caller, None when no credentials were sent; raises Zendesk's 401 on bad ones."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return _bearer(value.strip(), state)
    if scheme == "basic":
        return _basic(value.strip(), state)
    raise errors.couldnt_authenticate()


def is_password_basic(header: str) -> bool:
    """A Basic header whose login is not `email/token` (the legacy password form)."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        login = base64.b64decode(value.strip()).decode().partition(":")[0]
    except ValueError:
        return False
    return not login.endswith("/token")


def _bearer(value: str, state: SandboxState) -> Principal:
    store = state.store
    now = state.clock.now()
    for token in store.oauth_tokens.values():
        if token["_value"] == value:
            if token["_expires"] is not None and token["_expires"] <= now:
                break
            user = store.users.get(token["user_id"])
            if not _usable(user):
                break
            token["_used"] = now
            return Principal(user, "oauth", tuple(token["scopes"]), token)  # type: ignore[arg-type]
    raise errors.invalid_token()


def _basic(value: str, state: SandboxState) -> Principal:
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise errors.couldnt_authenticate() from None
    login, sep, secret = decoded.partition(":")
    if not sep:
        raise errors.couldnt_authenticate()
    store = state.store
    if login.endswith("/token"):
        user = store.users.by_email(login[: -len("/token")])
        token = store.find_api_token(secret)
        if token is None or not _usable(user) or not store.api_token_active(token):
            raise errors.couldnt_authenticate()
        token["_last_used"] = state.clock.now()
        return Principal(user, "token")  # type: ignore[arg-type]
    user = store.users.by_email(login)
    if (
        user is not None
        and _usable(user)
        and state.clock.password_access_allowed()
        and secret == user_password(state.options.seed, user["id"])
    ):
        return Principal(user, "password")
    raise errors.couldnt_authenticate()


def require(request: Request, resource: str | None, write: bool, role: str = "agent") -> Principal:
    """The authenticated caller, allowed by scope and by role, or Zendesk's 401/403.

    `role` is the least role the endpoint allows: "end-user", "agent" or "admin".
    """
    state: SandboxState = request.app.state.sandbox
    principal = authenticate(request, state)
    if principal is None:
        raise errors.couldnt_authenticate()
    check_scope(principal, resource, write)
    if role == "admin" and principal.role != "admin":
        raise errors.forbidden()
    if role == "agent" and principal.role not in STAFF_ROLES:
        raise errors.forbidden()
    return principal


def check_scope(principal: Principal, resource: str | None, write: bool) -> None:
    """OAuth scopes: `read`/`write`, or `<resource>:read|write`; API tokens and passwords have all."""
    if principal.scopes is None:
        return
    access = "write" if write else "read"
    scopes = principal.scopes
    if access in scopes or "unrestricted" in scopes:
        return
    if resource is not None and f"{resource}:{access}" in scopes:
        return
    raise errors.missing_scope(access)
