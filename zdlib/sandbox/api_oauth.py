"""OAuth clients (CRUD, generate_secret), OAuth tokens (list, create, show, current, revoke)
and the grant-type endpoint `POST /oauth/tokens` (client_credentials, refresh_token)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zdlib.sandbox import errors, render
from zdlib.sandbox.auth import Principal, require
from zdlib.sandbox.clock import iso, parse_instant
from zdlib.sandbox.consumers import play
from zdlib.sandbox.pagination import int_param, paginate_list
from zdlib.sandbox.request_parsing import body_of, state_of, truthy, wrapped
from zdlib.sandbox.scopes import recognised

CLIENT_FIELDS = ("name", "identifier", "kind", "redirect_uri", "description", "company", "user_id")
MIN_EXPIRES_IN, MAX_EXPIRES_IN = 300, 172_800  # exclusive bounds (CreateTokenForGrantType)
MIN_REFRESH_EXPIRES_IN, MAX_REFRESH_EXPIRES_IN = 604_800, 7_776_000  # exclusive: 7 and 90 days
DEFAULT_REFRESH_EXPIRES_IN = 2_592_000  # "Defaults to 2,592,000 seconds (30 days)"
DEFAULT_EXPIRES_IN = 1800  # the default TTL: 30 minutes
DEFAULT_TTL_FROM = date(2026, 4, 30)  # clients created after this day have the default TTL enforced
GRANT_TYPES = ("client_credentials", "refresh_token")
UNSUPPORTED_GRANT = "The authorization grant type is not supported by the authorization server."
INVALID_GRANT = (  # Zendesk's documented body (help-centre article 4408831387930)
    "The provided access grant is invalid, expired, or revoked (e.g. invalid assertion, expired "
    "authorization token, bad end-user password credentials, or mismatching authorization code and "
    "redirection URI)."
)
INVALID_CLIENT = (  # Doorkeeper's text: no Zendesk Support capture exists (UNVERIFIED)
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


# ---- clients -----------------------------------------------------------------------------------------
def _client(request: Request, client_id: int) -> dict:
    return errors.found(state_of(request).store.oauth_clients.get(client_id))


async def list_clients(request: Request) -> Response:
    principal = require(request, None, write=False, role="admin")
    state = state_of(request)
    base = render.base_of(request)
    records = sorted(state.store.oauth_clients.values(), key=lambda c: c["id"])
    if request.url.path.startswith("/api/v2/users/me/"):
        records = [c for c in records if c["user_id"] == principal.id]
    clients = [render.oauth_client(c, base) for c in records]
    return errors.json_response(
        paginate_list(request, "clients", clients, state.faults.settings.repeat_cursor)
    )


async def show_client(request: Request) -> Response:
    require(request, None, write=False, role="admin")
    record = _client(request, request.path_params["client_id"])
    return errors.json_response({"client": render.oauth_client(record, render.base_of(request))})


STRING_FIELDS = ("name", "identifier", "kind", "description", "company")  # OAuthClientObject: type string


def _check_client_types(request: Request, fields: dict) -> None:
    """The types of OAuthClientObject (OAS ticketing-2026-05.yaml); a wrong type is a 422 RecordInvalid."""
    for name in STRING_FIELDS:
        if name in fields and fields[name] is not None and not isinstance(fields[name], str):
            raise errors.record_invalid(name, f"{name.capitalize()}: must be a string")
    uris = fields.get("redirect_uri")
    if uris is not None and not (isinstance(uris, list) and all(isinstance(u, str) for u in uris)):
        raise errors.record_invalid("redirect_uri", "Redirect uri: must be a list of strings")
    if "user_id" in fields:
        user_id = fields["user_id"]
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise errors.record_invalid("user_id", "User: must be an integer user id")
        if state_of(request).store.users.get(user_id) is None:
            raise errors.record_invalid("user_id", "User: must exist")


def _check_client_fields(request: Request, fields: dict, creating: bool, own_id: int | None = None) -> None:
    _check_client_types(request, fields)
    for name in ("name", "identifier"):
        if (creating or name in fields) and not str(fields.get(name) or "").strip():
            raise errors.record_invalid(name, f"{name.capitalize()}: cannot be blank", "BlankValue")
    identifier = fields.get("identifier")
    clients = state_of(request).store.oauth_clients.values()
    if identifier is not None and any(c["identifier"] == identifier and c["id"] != own_id for c in clients):
        raise errors.record_invalid(
            "identifier", f"Identifier: {identifier} has already been taken", "DuplicateValue"
        )
    if "kind" in fields and fields["kind"] not in ("public", "confidential"):
        raise errors.record_invalid("kind", "Kind: must be public or confidential")


async def create_client(request: Request) -> Response:
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    fields = wrapped(await body_of(request), "client")
    _check_client_fields(request, fields, creating=True)
    store = state.store
    now = iso(state.clock.now())
    record = {
        "id": store.next_id(),
        "name": fields["name"],
        "identifier": fields["identifier"],
        "user_id": fields.get("user_id", principal.id),
        "kind": fields.get("kind", "confidential"),
        "company": fields.get("company", ""),
        "description": fields.get("description", ""),
        "redirect_uri": list(fields.get("redirect_uri") or []),
        "logo_url": "",
        "global": False,
        "created_at": now,
        "updated_at": now,
        "_secret": store.new_secret("oauth_client_secret", 64),
    }
    store.oauth_clients[record["id"]] = record
    store.audit(principal.id, "create", "oauth_client", record["id"], record["name"], "Created OAuth client")
    body = {"client": render.oauth_client(record, render.base_of(request), with_secret=True)}
    return errors.json_response(body, 201)


async def update_client(request: Request) -> Response:
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    record = _client(request, request.path_params["client_id"])
    fields = wrapped(await body_of(request), "client")
    _check_client_fields(request, fields, creating=False, own_id=record["id"])
    changed = [k for k in CLIENT_FIELDS if k in fields and fields[k] != record.get(k)]
    record.update({k: fields[k] for k in changed})
    record["updated_at"] = iso(state.clock.now())
    change = "Changed " + ", ".join(changed) if changed else "No changes"
    state.store.audit(principal.id, "update", "oauth_client", record["id"], record["name"], change)
    return errors.json_response({"client": render.oauth_client(record, render.base_of(request))})


async def generate_secret(request: Request) -> Response:
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    record = _client(request, request.path_params["client_id"])
    record["_secret"] = state.store.new_secret("oauth_client_secret", 64)
    record["updated_at"] = iso(state.clock.now())
    state.store.audit(
        principal.id, "update", "oauth_client", record["id"], record["name"], "Generated a new secret"
    )
    return errors.json_response(
        {"client": render.oauth_client(record, render.base_of(request), with_secret=True)}
    )


async def delete_client(request: Request) -> Response:
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    record = _client(request, request.path_params["client_id"])
    store = state.store
    del store.oauth_clients[record["id"]]
    for token_id in [t["id"] for t in store.oauth_tokens.values() if t["client_id"] == record["id"]]:
        del store.oauth_tokens[token_id]
    store.audit(principal.id, "destroy", "oauth_client", record["id"], record["name"], "Deleted OAuth client")
    return Response(status_code=204)


# ---- tokens ------------------------------------------------------------------------------------------
def _own_or_admin(principal: Principal, token: dict) -> None:
    if principal.role != "admin" and token["user_id"] != principal.id:
        raise errors.forbidden()


async def list_tokens(request: Request) -> Response:
    principal = require(request, None, write=False, role="end-user")
    state = state_of(request)
    play(state)  # simulated consumers' due calls move `used_at` first (consumers.py)
    records = sorted(state.store.oauth_tokens.values(), key=lambda t: t["id"])
    if truthy(request.query_params.get("all")):
        if principal.role != "admin":
            raise errors.forbidden()
    else:
        records = [t for t in records if t["user_id"] == principal.id]
    client_id = request.query_params.get("client_id")
    if client_id:
        records = [t for t in records if t["client_id"] == int_param(request, "client_id", 0)]
    if request.query_params.get("global_client_id"):  # tokens of a global client: none are modelled
        int_param(request, "global_client_id", 0)
        records = []
    base = render.base_of(request)
    tokens = [render.oauth_token(t, base) for t in records]
    return errors.json_response(paginate_list(request, "tokens", tokens, state.faults.settings.repeat_cursor))


def _token(request: Request, principal: Principal) -> dict:
    raw = request.path_params["token_id"]
    store = state_of(request).store
    if raw == "current":
        if principal.oauth_token is None or principal.oauth_token["id"] not in store.oauth_tokens:
            raise errors.record_not_found()
        return principal.oauth_token
    token = errors.found(store.oauth_tokens.get(int(raw)) if raw.isdigit() else None)
    _own_or_admin(principal, token)
    return token


async def show_token(request: Request) -> Response:
    principal = require(request, None, write=False, role="end-user")
    token = _token(request, principal)
    return errors.json_response({"token": render.oauth_token(token, render.base_of(request))})


async def revoke_token(request: Request) -> Response:
    principal = require(request, None, write=True, role="end-user")
    state = state_of(request)
    token = _token(request, principal)
    del state.store.oauth_tokens[token["id"]]
    state.store.audit(
        principal.id, "destroy", "oauth_token", token["id"], "OAuth token", "Revoked OAuth token"
    )
    return Response(status_code=204)


async def create_token(request: Request) -> Response:
    principal = require(request, None, write=True, role="admin")
    state = state_of(request)
    fields = wrapped(await body_of(request), "token")
    store = state.store
    client = store.oauth_clients.get(fields.get("client_id"))  # type: ignore[arg-type]
    if client is None:
        raise errors.record_invalid("client_id", "Client: must exist (use the client's numeric id)")
    scopes = fields.get("scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise errors.record_invalid("scopes", "Scopes: cannot be blank", "BlankValue")
    now = state.clock.now()
    expires = fields.get("expires_at")
    token = store.oauth_token_record(
        store.next_id(),
        client["id"],
        principal.id,
        scopes,
        now,
        None if expires is None else _parse_when(expires),
        store.new_secret("oauth_token", 64),
        None,
    )
    store.oauth_tokens[token["id"]] = token
    store.audit(principal.id, "create", "oauth_token", token["id"], client["name"], "Created OAuth token")
    return errors.json_response({"token": render.oauth_token(token, render.base_of(request), full=True)}, 201)


def _parse_when(value: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        raise errors.record_invalid("expires_at", "Expires at: is not a valid time") from None


# ---- grant types: POST /oauth/tokens -------------------------------------------------------------------
# Sources: the OpenAPI document ticketing-2026-05.yaml, CreateTokenForGrantType (bounds, quoted in
# zendesk-2026-12-updates.md section 1.1 #10), and that file's sections 1.1 #1, #2, #4, #11 and 1.2.
def _bounded(value: object, low: int, high: int, name: str) -> int:
    """An integer strictly between `low` and `high` (the document's bounds are exclusive)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise errors.oauth_error("invalid_request", f"{name} must be an integer") from None
    if not low < number < high:
        raise errors.oauth_error("invalid_request", f"{name} must be more than {low} and less than {high}")
    return number


def _given(body: dict, name: str) -> bool:
    return body.get(name) not in (None, "")


def enforces_default_ttl(client: dict) -> bool:
    """Zendesk: "OAuth clients created after April 30, 2026, automatically have the default TTL enforced"."""
    return parse_instant(client["created_at"]).date() > DEFAULT_TTL_FROM


def _access_lifetime(body: dict, client: dict, refreshing: bool) -> int | None:
    """Seconds the access token lives, or None: an older client that sent no `expires_in` gets a token
    that never expires (and no refresh token), as the announcement's Japanese text says."""
    if _given(body, "expires_in"):
        return _bounded(body["expires_in"], MIN_EXPIRES_IN, MAX_EXPIRES_IN, "expires_in")
    return DEFAULT_EXPIRES_IN if refreshing or enforces_default_ttl(client) else None


def _refresh_lifetime(body: dict, access: int) -> int:
    """More than 604,800 s (7 days) and more than `expires_in`, less than 7,776,000 s (90 days)."""
    if not _given(body, "refresh_token_expires_in"):
        return DEFAULT_REFRESH_EXPIRES_IN
    low = max(MIN_REFRESH_EXPIRES_IN, access)
    return _bounded(body["refresh_token_expires_in"], low, MAX_REFRESH_EXPIRES_IN, "refresh_token_expires_in")


def _requested_scopes(body: dict) -> list[str]:
    scope = body.get("scope") or body.get("scopes")
    return scope.split() if isinstance(scope, str) else [s for s in scope or [] if isinstance(s, str)]


async def grant_token(request: Request) -> Response:
    state = state_of(request)
    store = state.store
    body = await body_of(request)
    grant = body.get("grant_type")
    if grant not in GRANT_TYPES:  # implicit and password grants were removed on 2025-02-17
        raise errors.oauth_error("unsupported_grant_type", UNSUPPORTED_GRANT)
    client = next((c for c in store.oauth_clients.values() if c["identifier"] == body.get("client_id")), None)
    if client is None or body.get("client_secret") != client["_secret"]:
        raise errors.oauth_error("invalid_client", INVALID_CLIENT, 401)
    now = state.clock.now()
    refreshing = grant == "refresh_token"
    expires_in = _access_lifetime(body, client, refreshing)
    if refreshing:
        old = next(
            (
                t
                for t in store.oauth_tokens.values()
                if t["_refresh"] and t["_refresh"] == body.get("refresh_token")
            ),
            None,
        )
        if old is None or old["client_id"] != client["id"] or (old["_refresh_expires"] or now) < now:
            raise errors.oauth_error("invalid_grant", INVALID_GRANT)
        refresh_in: int | None = _refresh_lifetime(body, expires_in or DEFAULT_EXPIRES_IN)
        scopes, user_id = list(old["scopes"]), old["user_id"]
        del store.oauth_tokens[old["id"]]  # refresh rotates: the old access and refresh tokens stop working
        action = f"Refreshed OAuth token {old['id']}"
    else:
        requested = _requested_scopes(body)
        if not requested:
            raise errors.oauth_error(
                "invalid_scope", "The requested scope is invalid, unknown, or malformed."
            )
        scopes = recognised(requested)  # unknown scope names are dropped, not refused
        refresh_in = None  # RFC 6749 section 4.4.3: no refresh token for client credentials
        user_id = client["user_id"]
        action = "Created OAuth token (client_credentials)"
    token = store.oauth_token_record(
        store.next_id(),
        client["id"],
        user_id,
        scopes,
        now,
        None if expires_in is None else now + timedelta(seconds=expires_in),
        store.new_secret("oauth_token", 64),
        None if refresh_in is None else store.new_secret("oauth_refresh", 64),
        None if refresh_in is None else now + timedelta(seconds=refresh_in),
    )
    store.oauth_tokens[token["id"]] = token
    store.audit(user_id, "create", "oauth_token", token["id"], client["name"], action)
    answer: dict = {"access_token": token["_value"], "token_type": "bearer", "scope": " ".join(scopes)}
    if expires_in is not None:
        answer["expires_in"] = expires_in
    if refresh_in is not None:
        answer.update(refresh_token=token["_refresh"], refresh_token_expires_in=refresh_in)
    return errors.json_response(answer, 201)  # the document's 201; zcli expects 200 (section 1.1 #5)


def routes() -> list[Route]:
    return [
        Route("/api/v2/oauth/clients", list_clients, methods=["GET"]),
        Route("/api/v2/users/me/oauth/clients", list_clients, methods=["GET"]),
        Route("/api/v2/oauth/clients", create_client, methods=["POST"]),
        Route("/api/v2/oauth/clients/{client_id:int}", show_client, methods=["GET"]),
        Route("/api/v2/oauth/clients/{client_id:int}", update_client, methods=["PUT"]),
        Route("/api/v2/oauth/clients/{client_id:int}", delete_client, methods=["DELETE"]),
        Route("/api/v2/oauth/clients/{client_id:int}/generate_secret", generate_secret, methods=["PUT"]),
        Route("/api/v2/oauth/tokens", list_tokens, methods=["GET"]),
        Route("/api/v2/oauth/tokens", create_token, methods=["POST"]),
        Route("/api/v2/oauth/tokens/{token_id}", show_token, methods=["GET"]),
        Route("/api/v2/oauth/tokens/{token_id}", revoke_token, methods=["DELETE"]),
        Route("/oauth/tokens", grant_token, methods=["POST"]),
    ]
