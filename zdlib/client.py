"""The request loop: one paced, retried, logged path to Zendesk, shared safely by many threads."""

from __future__ import annotations

import atexit
import contextlib
import functools
import json as jsonlib
import logging
import random
import re
import shlex
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from zdlib._version import __version__
from zdlib.auth import HEADER_AUTHS, NO_AUTH, BearerAuth, ClientCredentialsAuth
from zdlib.bulk import BulkResult, run_bulk
from zdlib.config import Settings, is_loopback, load_settings
from zdlib.errors import (
    AuthenticationError,
    NetworkError,
    ZdlibError,
    ZendeskError,
    build_error,
    request_id_of,
)
from zdlib.pagination import CursorPages, IncrementalPages, OffsetPages
from zdlib.ratelimit import ClientEvent, Pacer
from zdlib.redact import (
    install_log_filter,
    redact_body,
    redact_data,
    redact_headers,
    redact_url,
    register_secret_fields,
)
from zdlib.resources import (
    ApiTokens,
    AuditLogs,
    Automations,
    OAuthClients,
    OAuthGrants,
    OAuthTokens,
    Users,
)
from zdlib.retry import RetryPolicy
from zdlib.schemes import AuthKind

logger = logging.getLogger("zdlib")
install_log_filter(logger)

T = TypeVar("T")
R = TypeVar("R")

_NUMERIC_SEGMENT = re.compile(r"/\d+(?=/|$)")
_BODY_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})

@functools.lru_cache(maxsize=2048)
def route_key(method: str, path: str) -> str:
    """``PUT /api/v2/users/{id}``: the shape of a request, used to remember endpoint rate-limit buckets."""
    return f"{method} {_NUMERIC_SEGMENT.sub('/{id}', path.removesuffix('.json'))}"


@dataclass(frozen=True)
class ClientStats:
    """Counters since the client was created (a snapshot)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waits_s: float = 0.0


class Client:
    """A thread-safe Zendesk client: paced from the server's headers, retried safely, typed errors.

    ``Client(settings)`` or ``Client.from_env()``; use it as a context manager so a client-credentials
    token it obtained is revoked at the end. ``transport=`` (e.g. ``httpx.MockTransport``) is for tests;
    ``on_event`` receives a ``ClientEvent`` for every wait and retry; ``clock``/``sleep``/``rand`` can be
    injected so tests never sleep for real.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.base_url = self.settings.base_url
        self.auth_kind = self.settings.auth_kind
        self.credential_fingerprint = self.settings.credential_fingerprint
        self.last_request_id: str | None = None
        self._on_event = on_event
        self._retry = retry_policy or RetryPolicy()
        self._clock, self._sleep, self._rand = clock, sleep, rand
        self._stats = ClientStats()
        self._stats_lock = threading.Lock()
        self._closed = False
        self._pacer = Pacer(
            share=self.settings.rate_share, clock=clock, sleep=sleep, on_wait=self._paced_wait
        )
        self._auth = self._build_auth()
        pool = max(self.settings.concurrency, 16)
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.settings.timeout, connect=min(self.settings.timeout, 10.0)),
            verify=self._tls_verification(),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            headers={"Accept": "application/json", "User-Agent": f"zdlib/{__version__}"},
            follow_redirects=False,
            trust_env=not is_loopback(urlsplit(self.base_url).hostname or ""),
        )
        self.users = Users(self)
        self.automations = Automations(self)
        self.oauth_clients = OAuthClients(self)
        self.oauth_tokens = OAuthTokens(self)
        self.oauth_grants = OAuthGrants(self)
        self.api_tokens = ApiTokens(self)
        self.audit_logs = AuditLogs(self)
        if isinstance(self._auth, ClientCredentialsAuth):
            atexit.register(_close_at_exit, weakref.ref(self))

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """A client configured from the environment and ``.env``."""
        return cls(load_settings(), **kwargs)

    # -- set-up -----------------------------------------------------------------------------------
    def _build_auth(self) -> httpx.Auth:
        """The ``httpx.Auth`` of the configured scheme, built from its variables in table order."""
        s = self.settings
        values = [s.value_of(name) for name in s.scheme.variables]
        if s.scheme.kind is not AuthKind.CLIENT_CREDENTIALS:
            return HEADER_AUTHS[s.scheme.kind](*values)
        return ClientCredentialsAuth(
            *values,
            scopes=s.scopes,
            expires_in=s.token_expires_in,
            fetch=self._grant,
            clock=self._clock,
            on_renew=lambda ttl: self._emit(
                ClientEvent(
                    "token_renewed", "POST", "/oauth/tokens", wait_s=0.0, reason=f"expires in {ttl} s"
                )
            ),
        )

    def _tls_verification(self) -> ssl.SSLContext | bool:
        if not self.settings.ca_bundle:
            return True
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=self.settings.ca_bundle)
        return context

    def _grant(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self._send(
            "POST", "/oauth/tokens", json=body, auth=NO_AUTH, paced=False, kind="client_credentials"
        )
        return self._decode(response, "POST", "/oauth/tokens") or {}

    # -- the request loop -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: httpx.Auth | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        """Send one request: paced, retried when safe, and raising a ``ZendeskError`` on any non-2xx.

        ``path`` is relative to the instance (``/api/v2/users/me``) or an absolute URL on it. ``auth``
        overrides the credential for this call; ``deadline`` (seconds) overrides ``ZENDESK_DEADLINE``.
        """
        return self._send(
            method.upper(), path, params=params, json=json, auth=auth, headers=headers, deadline=deadline
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: httpx.Auth | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
        paced: bool = True,
        kind: str | None = None,
    ) -> httpx.Response:
        if self._closed:
            raise ZdlibError("This client is closed; create a new one.")
        url = self._resolve(path)
        shown = redact_url(url)[len(self.base_url) :]
        route = route_key(method, urlsplit(url).path)
        use_auth = auth if auth is not None else self._auth
        kind = kind or getattr(use_auth, "kind", self.auth_kind)
        if json is None and method in _BODY_METHODS:
            headers = {"Content-Type": "application/json", **(headers or {})}
        limit = self.settings.deadline if deadline is None else deadline
        ends_at = self._clock() + limit if limit else None
        if isinstance(use_auth, ClientCredentialsAuth):
            use_auth.token()  # obtain or renew before taking a pacing slot
        if json is not None:
            register_secret_fields(json, f"the body of {method} {route}")
        attempt = rate_limited = 0
        while True:
            attempt += 1
            if paced:
                self._pacer.acquire(route, ends_at)
            started = time.perf_counter()
            response: httpx.Response | None = None
            failure: httpx.TransportError | None = None
            try:
                response = self._http.request(
                    method, url, params=params, json=json, headers=headers, auth=use_auth
                )
            except httpx.TransportError as exc:
                failure = exc
            finally:
                if paced:
                    self._pacer.release(route, response.headers if response is not None else None)
            elapsed_ms = (time.perf_counter() - started) * 1000
            self._count(requests=1)
            if failure is not None:
                logger.info(
                    "%s %s -> no answer (%s) after %.0f ms, attempt %d",
                    method,
                    shown,
                    type(failure).__name__,
                    elapsed_ms,
                    attempt,
                )
                if self._retry.retries_error(method, failure, attempt):
                    wait = self._retry.backoff(attempt, self._rand)
                    if ends_at is None or self._clock() + wait <= ends_at:
                        self._retry_after_wait(method, shown, attempt, wait, None, type(failure).__name__)
                        continue
                raise self._network_error(method, shown, url, failure) from failure
            assert response is not None
            self._log_response(method, shown, response, elapsed_ms, attempt)
            status = response.status_code
            if status < 300:
                if method != "GET":
                    _register_answer_secrets(response, f"the answer to {method} {route}")
                return response
            if status == 429:
                rate_limited += 1
                self._count(rate_limited=1)
                wait = self._retry.rate_limit_wait(response, rate_limited, self._rand)
                request_id = request_id_of(response.headers)
                self._emit(ClientEvent("rate_limited", method, shown, attempt, wait, 429, "429", request_id))
                out_of_time = ends_at is not None and self._clock() + wait > ends_at
                if out_of_time or not self._retry.retries_status(method, 429, attempt, rate_limited - 1):
                    raise build_error(
                        response, method=method, base_url=self.base_url, auth_kind=kind, retry_after=wait
                    )
                self._count(retries=1)
                self._emit(
                    ClientEvent("retry", method, shown, attempt, wait, 429, "rate limited", request_id)
                )
                if paced:
                    self._pacer.pause(wait)
                else:
                    self._sleep(wait)
                    self._count(waits_s=wait)
                continue
            if self._retry.retries_status(method, status, attempt, rate_limited):
                wait = self._retry.rate_limit_wait(response, attempt, self._rand)
                if ends_at is None or self._clock() + wait <= ends_at:
                    self._retry_after_wait(
                        method, shown, attempt, wait, status, f"{status}", request_id_of(response.headers)
                    )
                    continue
            raise build_error(response, method=method, base_url=self.base_url, auth_kind=kind)

    def _resolve(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if path == self.base_url or path.startswith(self.base_url + "/"):
                return path
            parts = urlsplit(path)
            raise ZdlibError(
                f"Refusing to send the credential to {parts.scheme}://{parts.netloc}: this client is for "
                f"{self.base_url}. Pass a path such as /api/v2/users/me."
            )
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def _retry_after_wait(
        self,
        method: str,
        shown: str,
        attempt: int,
        wait: float,
        status: int | None,
        reason: str,
        request_id: str | None = None,
    ) -> None:
        self._count(retries=1, waits_s=wait)
        self._emit(ClientEvent("retry", method, shown, attempt, wait, status, reason, request_id))
        logger.info("%s %s: retrying in %.2f s (%s, attempt %d)", method, shown, wait, reason, attempt)
        self._sleep(wait)

    def _network_error(self, method: str, shown: str, url: str, failure: Exception) -> NetworkError:
        text = str(failure)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            hint = (
                "The server's TLS certificate is not trusted. For the local sandbox set ZENDESK_CA_BUNDLE "
                "to its CA file (verification is never turned off)."
            )
        elif isinstance(failure, httpx.TimeoutException):
            hint = "Zendesk did not answer in time: retry later or raise ZENDESK_TIMEOUT."
        else:
            hint = "Check the network or VPN and ZENDESK_URL."
        return NetworkError(
            f"No answer from {self.base_url} for {method} {shown} ({type(failure).__name__}: "
            f"{text or 'no detail'}). {hint}",
            method=method,
            url=redact_url(url),
        )

    # -- bookkeeping ------------------------------------------------------------------------------
    def _count(
        self, requests: int = 0, retries: int = 0, rate_limited: int = 0, waits_s: float = 0.0
    ) -> None:
        with self._stats_lock:
            s = self._stats
            self._stats = ClientStats(
                s.requests + requests, s.retries + retries, s.rate_limited + rate_limited, s.waits_s + waits_s
            )

    @property
    def stats(self) -> ClientStats:
        """Requests sent, retries, 429 answers and seconds spent waiting, so far."""
        with self._stats_lock:
            return replace(self._stats)

    def _paced_wait(self, wait: float, reason: str) -> None:
        self._count(waits_s=wait)
        self._emit(ClientEvent("wait", wait_s=wait, reason=reason))
        if wait >= 1:
            logger.info("waiting %.1f s for the rate limit (%s)", wait, reason)

    def _emit(self, event: ClientEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            logger.warning("the on_event callback raised; continuing", exc_info=True)

    def _secrets(self) -> list[str]:
        values = [self.settings.secret]
        if isinstance(self._auth, ClientCredentialsAuth) and self._auth._token:
            values.append(self._auth._token)
        return values

    def _log_response(
        self, method: str, shown: str, response: httpx.Response, ms: float, attempt: int
    ) -> None:
        request_id = request_id_of(response.headers)
        self.last_request_id = request_id
        if logger.isEnabledFor(logging.INFO):
            remaining = response.headers.get("ratelimit-remaining") or response.headers.get(
                "x-rate-limit-remaining", "?"
            )
            logger.info(
                "%s %s %d %.0fms request_id=%s remaining=%s attempt=%d",
                method,
                shown,
                response.status_code,
                ms,
                request_id,
                remaining,
                attempt,
            )
        if logger.isEnabledFor(logging.DEBUG):
            secrets = self._secrets()
            request = response.request
            logger.debug(
                "request headers %s body %s",
                redact_headers(request.headers.multi_items()),
                redact_body(request.content, request.headers.get("content-type"), secrets),
            )
            logger.debug(
                "response %d headers %s body %s",
                response.status_code,
                redact_headers(response.headers.multi_items()),
                redact_body(response.content, response.headers.get("content-type"), secrets),
            )

    # -- JSON helpers -----------------------------------------------------------------------------
    def _decode(self, response: httpx.Response, method: str, path: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ZendeskError(
                f"{method} {path} on {self.base_url} answered {response.status_code} with a body that is not "
                f"JSON ({response.headers.get('content-type', 'no content type')}). Check that ZENDESK_URL "
                "points to a Zendesk instance.",
                status=response.status_code,
                request_id=request_id_of(response.headers),
                method=method,
                url=redact_url(str(response.request.url)),
            ) from None

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """GET and decode the JSON body."""
        return self._decode(self.request("GET", path, params=params, **kwargs), "GET", path) or {}

    def put(self, path: str, json: Any = None, **kwargs: Any) -> dict[str, Any]:
        """PUT a JSON body and decode the answer."""
        return self._decode(self.request("PUT", path, json=json, **kwargs), "PUT", path) or {}

    def post(self, path: str, json: Any = None, **kwargs: Any) -> dict[str, Any]:
        """POST a JSON body (never retried except after a 429 or a failed connect) and decode the answer."""
        return self._decode(self.request("POST", path, json=json, **kwargs), "POST", path) or {}

    def delete(self, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """DELETE; None for 204 No Content."""
        return self._decode(self.request("DELETE", path, **kwargs), "DELETE", path)

    # -- listings and bulk ------------------------------------------------------------------------
    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: dict[str, Any] | None = None,
        page_size: int = 100,
        cursor: str | None = None,
    ) -> CursorPages:
        """Cursor pagination, lazily; ``.cursor`` is the position to resume from."""
        return CursorPages(self.get, self.base_url, path, key, params, page_size, cursor)

    def paginate_offset(
        self, path: str, key: str, *, params: dict[str, Any] | None = None, per_page: int = 100
    ) -> OffsetPages:
        """Offset pagination (search endpoints); raises ``PaginationDepthError`` before page 101."""
        return OffsetPages(self.get, self.base_url, path, key, params, per_page)

    def incremental(
        self,
        path: str,
        key: str,
        *,
        start_time: int = 0,
        cursor: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> IncrementalPages:
        """An incremental cursor export (``/api/v2/incremental/users/cursor``) until ``end_of_stream``."""
        return IncrementalPages(self.get, self.base_url, path, key, start_time, cursor, params)

    def bulk(
        self, fn: Callable[[T], R], items: Iterable[T], *, concurrency: int | None = None
    ) -> list[BulkResult[T, R]]:
        """Apply ``fn`` to every item with bounded concurrency (default ``ZENDESK_CONCURRENCY``)."""
        return run_bulk(fn, items, concurrency=concurrency or self.settings.concurrency)

    # -- curl -------------------------------------------------------------------------------------
    def curl(self, method: str, path: str, json: Any = None) -> str:
        """The same request as a curl command, with the credential replaced by environment placeholders."""
        method = method.upper()
        parts = ["curl " + shlex.quote(self._resolve(path)), self.settings.scheme.curl]
        if method in _BODY_METHODS or json is not None:
            parts.append('-H "Content-Type: application/json"')
        if method != "GET":
            parts.append(f"-X {method}")
        if json is not None:
            parts.append("-d " + shlex.quote(jsonlib.dumps(redact_data(json))))
        return " \\\n  ".join(parts)

    # -- life cycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Revoke a client-credentials token this client obtained, then close the connections."""
        if self._closed:
            return
        try:
            if isinstance(self._auth, ClientCredentialsAuth):
                self._revoke_token(self._auth)
        finally:
            self._closed = True
            self._http.close()

    def release_token(self) -> None:
        """Revoke the client-credentials token this client obtained, and keep the client usable.

        Idempotent; nothing to do for other credential kinds. The next request mints a new token.
        """
        if not self._closed and isinstance(self._auth, ClientCredentialsAuth):
            self._revoke_token(self._auth)

    def _revoke_token(self, auth: ClientCredentialsAuth) -> None:
        token = auth.take_token()
        if token is not None:
            self.revoke_bearer(token)

    def revoke_bearer(self, token: str) -> bool:
        """Revoke an OAuth access token with itself: `GET /api/v2/oauth/tokens/current`, then `DELETE` it.

        True when revoked or already dead (401: nothing left to revoke); False when it could not be done.
        """
        bearer = BearerAuth(token)
        try:
            current = self.get("/api/v2/oauth/tokens/current", auth=bearer, deadline=15)
            token_id = current["token"]["id"]
            self.request("DELETE", f"/api/v2/oauth/tokens/{token_id}", auth=bearer, deadline=15)
        except AuthenticationError:
            return True
        except (ZdlibError, KeyError, TypeError) as exc:
            logger.warning("could not revoke the client-credentials token (%s); it expires on its own.", exc)
            self._emit(ClientEvent("token_revoke_failed", reason=type(exc).__name__))
            return False
        logger.info("revoked the client-credentials token %s", token_id)
        self._emit(ClientEvent("token_revoked", "DELETE", f"/api/v2/oauth/tokens/{token_id}"))
        return True

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Client(base_url={self.base_url!r}, auth_kind={self.auth_kind!r}, "
            f"credential={self.credential_fingerprint})"
        )

    __str__ = __repr__


def _register_answer_secrets(response: httpx.Response, origin: str) -> None:
    """A write's answer may hold a secret shown this once (a new client secret, a full token): register it
    before anyone can print it."""
    if "json" not in response.headers.get("content-type", "") or not response.content:
        return
    with contextlib.suppress(ValueError):
        register_secret_fields(response.json(), origin)


def _close_at_exit(ref: weakref.ReferenceType[Client]) -> None:
    """Safety net: a client-credentials token still held when the process ends is revoked."""
    client = ref()
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()


__all__ = ["Client", "ClientEvent", "ClientStats", "route_key"]
