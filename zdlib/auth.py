"""One ``httpx.Auth`` per Zendesk credential scheme. A credential's ``repr`` shows a fingerprint only."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import threading
import time
import warnings
from collections.abc import Callable, Generator
from typing import Any

import httpx

from zdlib.redact import fingerprint, register_secret, register_secret_fields
from zdlib.schemes import AuthKind

logger = logging.getLogger("zdlib")

#: Zendesk permanently deactivates every API token on this day.
API_TOKEN_END = dt.date(2027, 4, 30)

_warned: set[str] = set()
_warned_lock = threading.Lock()

#: How the run's own client-credentials tokens are labelled in the secret registry (and a run's secrets
#: file), so a recovery can revoke what a killed run minted.
RUN_TOKEN_LABEL = "client-credentials access token of"


class CredentialDeprecationWarning(FutureWarning):
    """The credential kind in use is being (or has been) removed by Zendesk."""


def _warn_once(kind: str, message: str) -> None:
    with _warned_lock:
        if kind in _warned:
            return
        _warned.add(kind)
    logger.warning(message)
    warnings.warn(message, CredentialDeprecationWarning, stacklevel=4)


def reset_deprecation_warnings() -> None:
    """Forget which deprecation warnings were shown (for tests and long-lived notebooks)."""
    with _warned_lock:
        _warned.clear()


def api_token_notice(today: dt.date | None = None) -> str:
    """The warning text for API-token auth, with the days left before Zendesk turns tokens off."""
    today = today or dt.date.today()
    days = (API_TOKEN_END - today).days
    if days > 0:
        return (
            f"API-token auth: Zendesk turns off every API token on {API_TOKEN_END} ({days} days left). "
            "Move to OAuth (ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET)."
        )
    return (
        f"API-token auth: Zendesk turned off API tokens on {API_TOKEN_END}; requests will fail with 401. "
        "Use OAuth (ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET)."
    )


PASSWORD_NOTICE = (
    "Password auth: Zendesk removed password access for the API; requests will most likely fail with 401. "
    "Use OAuth (ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET)."
)


class _HeaderAuth(httpx.Auth):
    """Sets a fixed ``Authorization`` header; subclasses say what it is."""

    kind = ""

    def __init__(self, header: str, secret: str) -> None:
        self._header = header
        self.fingerprint = fingerprint(secret)
        register_secret(f"{type(self).__name__} credential {self.fingerprint}", secret)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fingerprint={self.fingerprint!r})"

    __str__ = __repr__


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


class ApiTokenAuth(_HeaderAuth):
    """Basic ``{email}/token:{token}``. Warns once about the 2027-04-30 end of API tokens."""

    kind = AuthKind.TOKEN

    def __init__(self, email: str, token: str, *, warn: bool = True, today: dt.date | None = None) -> None:
        super().__init__(_basic(f"{email}/token", token), token)
        if warn:
            _warn_once("token", api_token_notice(today))


class BearerAuth(_HeaderAuth):
    """``Authorization: Bearer {token}`` for an OAuth access token."""

    kind = AuthKind.OAUTH

    def __init__(self, token: str) -> None:
        super().__init__(f"Bearer {token}", token)


class PasswordAuth(_HeaderAuth):
    """Legacy Basic ``{email}:{password}``. Zendesk removed it for the API; warns once."""

    kind = AuthKind.PASSWORD

    def __init__(self, email: str, password: str, *, warn: bool = True) -> None:
        super().__init__(_basic(email, password), password)
        if warn:
            _warn_once("password", PASSWORD_NOTICE)


class NoAuth(httpx.Auth):
    """Send no credential (the grant endpoint takes its credentials in the body)."""

    kind = "none"
    fingerprint = ""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.pop("Authorization", None)
        yield request

    def __repr__(self) -> str:
        return "NoAuth()"


NO_AUTH = NoAuth()

#: Where the client-credentials grant is requested, on the instance's own host (not under /api/v2).
GRANT_PATH = "/oauth/tokens"


class ClientCredentialsAuth(httpx.Auth):
    """OAuth client-credentials grant: obtains a short-lived bearer token and renews it before expiry.

    An httpx auth flow that yields its own grant request (``POST /oauth/tokens``, no ``Authorization``
    header) when it holds no fresh token, then the request with the token. If Zendesk refuses the grant,
    the flow ends there and the grant's answer is the answer: the client's request loop decides about it
    (a 429 is retried, a 401 is an ``AuthenticationError``). Thread-safe: one renewal serves every thread.
    A 401 answer invalidates the token and the request is sent once more with a fresh one. Every token
    is registered as a secret (``zdlib.redact``) before it is used; ``zdlib.Client`` revokes the last one
    at ``close()``. Works with a plain ``httpx.Client`` too.
    """

    kind = AuthKind.CLIENT_CREDENTIALS

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        scopes: str = "read write",
        expires_in: int = 3600,
        clock: Callable[[], float] = time.monotonic,
        on_renew: Callable[[int], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        register_secret(f"client secret of {client_id}", client_secret)
        self.scopes = " ".join(scopes.replace(",", " ").split())
        self.expires_in = expires_in
        self.fingerprint = fingerprint(client_secret)
        self._clock = clock
        self._on_renew = on_renew
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.expires_at = 0.0
        self.renewals = 0

    def grant_body(self) -> dict[str, Any]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "scope": self.scopes,
            "expires_in": self.expires_in,
        }

    def grant_request(self, request: httpx.Request) -> httpx.Request:
        """The grant request for the instance ``request`` goes to, with its ``Accept`` and ``User-Agent``."""
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("accept", "user-agent")}
        return httpx.Request("POST", request.url.join(GRANT_PATH), json=self.grant_body(), headers=headers)

    @staticmethod
    def renew_margin(ttl: float) -> float:
        """How long before expiry a token is renewed: 10% of its life, between 30 s and 5 min."""
        return min(max(ttl * 0.1, 30.0), 300.0, ttl / 2)

    def _fresh_token(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, str | None]:
        """The current token, or a new one from a grant this flow yields; None if Zendesk refused it.

        The lock is held across the grant, so one renewal serves every thread (httpx closes the flow, and
        so releases the lock, if sending fails).
        """
        with self._lock:
            if self._token is not None and self._clock() < self._renew_at:
                return self._token
            response = yield self.grant_request(request)
            if not response.is_success:
                return None
            response.read()
            self._accept(response)
            return self._token

    def _accept(self, response: httpx.Response) -> None:
        """Take the token from a successful grant answer (registered as a secret before anything else)."""
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            answer = None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            from zdlib.errors import AuthenticationError

            raise AuthenticationError(
                "POST /oauth/tokens answered without an access_token. Check that the OAuth client allows "
                "the client_credentials grant.",
                status=response.status_code,
                method="POST",
                url=GRANT_PATH,
            )
        register_secret(f"{RUN_TOKEN_LABEL} {self.client_id}", token)
        register_secret_fields(answer, f"the answer to POST {GRANT_PATH}")
        self._set_token(token, answer.get("expires_in"))

    def _set_token(self, token: str, expires_in: Any) -> None:
        now = self._clock()
        try:
            ttl = float(expires_in or self.expires_in)
        except (TypeError, ValueError):
            ttl = float(self.expires_in)
        self._token = token
        self.expires_at = now + ttl
        self._renew_at = now + ttl - self.renew_margin(ttl)
        self.renewals += 1
        logger.info("obtained an OAuth token by client credentials (expires in %ds)", int(ttl))
        if self._on_renew is not None:
            self._on_renew(int(ttl))

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the current one (after a 401)."""
        with self._lock:
            if self._token == token:
                self._token = None

    def take_token(self) -> str | None:
        """Hand over the current token for revocation and forget it."""
        with self._lock:
            token, self._token = self._token, None
            return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._fresh_token(request)
        if token is None:
            return  # the grant was refused: its answer is the answer
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        self.invalidate(token)
        token = yield from self._fresh_token(request)
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(client_id={self.client_id!r}, fingerprint={self.fingerprint!r})"

    __str__ = __repr__


CredentialAuth = ApiTokenAuth | BearerAuth | PasswordAuth | ClientCredentialsAuth

#: The header schemes by kind; each takes its scheme's variables (``zdlib.schemes``) in table order.
HEADER_AUTHS: dict[str, type[ApiTokenAuth] | type[BearerAuth] | type[PasswordAuth]] = {
    cls.kind: cls for cls in (ApiTokenAuth, BearerAuth, PasswordAuth)
}

__all__ = [
    "API_TOKEN_END",
    "GRANT_PATH",
    "NO_AUTH",
    "ApiTokenAuth",
    "BearerAuth",
    "ClientCredentialsAuth",
    "CredentialDeprecationWarning",
    "NoAuth",
    "PasswordAuth",
    "api_token_notice",
    "reset_deprecation_warnings",
]
