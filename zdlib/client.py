"""The request loop: one paced, retried, logged path to Zendesk, shared safely by many threads."""

from __future__ import annotations

import atexit
import contextlib
import copy
import datetime as dt
import email.utils
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
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from zdlib._version import __version__
from zdlib.answer_time import limit_answer_time
from zdlib.auth import GRANT_PATH, HEADER_AUTHS, BearerAuth, ClientCredentialsAuth
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
from zdlib.pagination import MAX_PAGE_SIZE, CursorPages, IncrementalPages, OffsetPages, Pages
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
    CustomRoles,
    OAuthClients,
    OAuthGrants,
    OAuthTokens,
    Search,
    Users,
)
from zdlib.retry import Answer, Decision, RetryPolicy
from zdlib.schemes import AuthKind

logger = logging.getLogger("zdlib")
install_log_filter(logger)

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P", bound=Pages)

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


class _Tally:
    """Thread-safe running ``ClientStats``, shared by a client and the clients ``with_auth`` derives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats = ClientStats()

    def add(self, requests: int = 0, retries: int = 0, rate_limited: int = 0, waits_s: float = 0.0) -> None:
        with self._lock:
            s = self._stats
            self._stats = ClientStats(
                s.requests + requests, s.retries + retries, s.rate_limited + rate_limited, s.waits_s + waits_s
            )

    def snapshot(self) -> ClientStats:
        with self._lock:
            return self._stats


@dataclass(frozen=True)
class _Call:
    """One request as the loop sends it, every attempt alike."""

    method: str
    url: str
    shown: str  # the path as logged and reported: relative to the instance, secrets removed
    route: str  # route_key(): the pacer's key for endpoint buckets
    auth: httpx.Auth
    kind: str  # the credential kind, for the advice after a 401
    params: dict[str, Any] | None
    json: Any
    headers: dict[str, str] | None
    ends_at: float | None  # the deadline on the client's clock


@dataclass(frozen=True)
class _Answered:
    """Which request an answer is to: the call's own, or a request its auth flow sent (the grant)."""

    method: str
    shown: str
    own: bool


class Client:
    """A thread-safe Zendesk client: paced from the server's headers, retried safely, typed errors.

    ``Client(settings)`` or ``Client.from_env()``; use it as a context manager so a client-credentials
    token it obtained is revoked at the end. ``transport=`` (e.g. ``httpx.MockTransport``) is for tests;
    ``on_event`` receives a ``ClientEvent`` for every wait and retry; ``clock``/``sleep``/``rand`` can be
    injected so tests never sleep for real. ``with_auth(auth)`` gives a client that sends another
    credential over the same connections and pacer.
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
        self._on_event = on_event
        self._retry = retry_policy or RetryPolicy()
        self._clock, self._sleep, self._rand = clock, sleep, rand
        self._tally = _Tally()
        self._pacer = Pacer(
            share=self.settings.rate_share, clock=clock, sleep=sleep, on_wait=self._paced_wait
        )
        self._http = self._connections(transport)
        self._owns_http = True
        self._use(self._build_auth())
        if isinstance(self._auth, ClientCredentialsAuth):
            atexit.register(_close_at_exit, weakref.ref(self))

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """A client configured from the environment and ``.env``."""
        return cls(load_settings(), **kwargs)

    def with_auth(self, auth: httpx.Auth) -> Client:
        """A client that sends ``auth`` instead of the configured credential.

        It shares this client's connection pool, pacer (so both stay within one rate limit), retry
        policy, hooks and ``stats``. Closing it revokes a client-credentials token it obtained, and
        leaves the shared connections open; closing this client closes them for both.
        """
        twin = copy.copy(self)
        twin._owns_http = False
        twin._use(auth)
        return twin

    # -- set-up -----------------------------------------------------------------------------------
    def _use(self, auth: httpx.Auth) -> None:
        """Take ``auth`` as this client's credential, with fresh per-client state and resource helpers."""
        self._auth = auth
        self.auth_kind = str(getattr(auth, "kind", self.settings.auth_kind))
        shown = getattr(auth, "fingerprint", None)
        self.credential_fingerprint = self.settings.credential_fingerprint if shown is None else str(shown)
        self._closed = False
        self.last_request_id: str | None = None
        self._last_date: str | None = None
        self.users = Users(self)
        self.automations = Automations(self)
        self.oauth_clients = OAuthClients(self)
        self.oauth_tokens = OAuthTokens(self)
        self.oauth_grants = OAuthGrants(self)
        self.api_tokens = ApiTokens(self)
        self.audit_logs = AuditLogs(self)
        self.search = Search(self)
        self.custom_roles = CustomRoles(self)

    def _connections(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        pool = max(self.settings.concurrency, 16)
        return httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.settings.timeout, connect=min(self.settings.timeout, 10.0)),
            verify=self._tls_verification(),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            headers={"Accept": "application/json", "User-Agent": f"zdlib/{__version__}"},
            follow_redirects=False,
            trust_env=not is_loopback(urlsplit(self.base_url).hostname or ""),
            event_hooks={"response": [limit_answer_time(self.settings.timeout)]},
        )

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
            clock=self._clock,
            on_renew=lambda ttl: self._emit(
                ClientEvent("token_renewed", "POST", GRANT_PATH, wait_s=0.0, reason=f"expires in {ttl} s")
            ),
        )

    def _tls_verification(self) -> ssl.SSLContext | bool:
        if not self.settings.ca_bundle:
            return True
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=self.settings.ca_bundle)
        return context

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
        overrides the credential for this call (``with_auth`` for several calls); ``deadline`` (seconds)
        overrides ``ZENDESK_DEADLINE``.

        The loop: send (paced), ask the retry policy about the answer, then either wait once and send
        again or conclude (return the answer or raise its error).
        """
        if self._closed or self._http.is_closed:
            raise ZdlibError("This client is closed; create a new one.")
        call = self._prepare(method.upper(), path, params, json, auth, headers, deadline)
        attempt = rate_limited = 0
        unclear = False  # an earlier attempt may have been carried out (a 5xx, or no answer after sending)
        while True:
            attempt += 1
            answer, answered = self._attempt(call, attempt)
            decision = self._retry.decide(
                answered.method, attempt, answer, rate_limited=rate_limited, rand=self._rand
            )
            if decision.rate_limited:
                rate_limited += 1
                self._rate_limited(answered, attempt, decision, answer)
            if not (decision.retry and self._in_time(call, decision.wait)):
                if unclear and _deleted_before(call, answer, answered):
                    return answer
                return self._conclude(call, answer, answered, decision)
            unclear = unclear or _may_have_been_carried_out(answer)
            self._wait(answered, attempt, decision, answer)

    def _prepare(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        auth: httpx.Auth | None,
        headers: dict[str, str] | None,
        deadline: float | None,
    ) -> _Call:
        url = self._resolve(path)
        route = route_key(method, urlsplit(url).path)
        use_auth = auth if auth is not None else self._auth
        if json is None and method in _BODY_METHODS:
            headers = {"Content-Type": "application/json", **(headers or {})}
        if json is not None:
            register_secret_fields(json, f"the body of {method} {route}")
        limit = self.settings.deadline if deadline is None else deadline
        return _Call(
            method=method,
            url=url,
            shown=self._shown(url),
            route=route,
            auth=use_auth,
            kind=str(getattr(use_auth, "kind", self.auth_kind)),
            params=params,
            json=json,
            headers=headers,
            ends_at=self._clock() + limit if limit else None,
        )

    def _attempt(self, call: _Call, attempt: int) -> tuple[Answer, _Answered]:
        """Send once, inside a pacing slot; the answer (or transport error) and which request it is to."""
        self._pacer.acquire(call.route, call.ends_at)
        started = time.perf_counter()
        request = self._http.build_request(
            call.method, call.url, params=call.params, json=call.json, headers=call.headers
        )
        answer: Answer | None = None
        try:
            answer = self._http.send(request, auth=call.auth)
        except httpx.TransportError as exc:
            answer = exc
        finally:
            answered = self._answered(call, request, answer)
            own_headers = answer.headers if isinstance(answer, httpx.Response) and answered.own else None
            self._pacer.release(call.route, own_headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._log_answer(answer, answered, elapsed_ms, attempt)
        return answer, answered

    def _answered(self, call: _Call, own: httpx.Request, answer: Answer | None) -> _Answered:
        request = _request_of(answer)
        if request is None or request is own:
            return _Answered(call.method, call.shown, True)
        return _Answered(request.method, self._shown(str(request.url)), False)

    def _in_time(self, call: _Call, wait: float) -> bool:
        return call.ends_at is None or self._clock() + wait <= call.ends_at

    def _rate_limited(self, answered: _Answered, attempt: int, decision: Decision, answer: Answer) -> None:
        """Report a 429, whatever is decided about it."""
        self._tally.add(rate_limited=1)
        self._emit(
            ClientEvent(
                "rate_limited",
                answered.method,
                answered.shown,
                attempt,
                decision.wait,
                429,
                "429",
                _request_id(answer),
            )
        )

    def _wait(self, answered: _Answered, attempt: int, decision: Decision, answer: Answer) -> None:
        """The one wait before a retry. After a 429 on the call's own route, every worker sharing the
        pacer pauses until the same instant (the next ``acquire`` waits, reports and counts it)."""
        status = answer.status_code if isinstance(answer, httpx.Response) else None
        self._tally.add(retries=1)
        self._emit(
            ClientEvent(
                "retry",
                answered.method,
                answered.shown,
                attempt,
                decision.wait,
                status,
                decision.reason,
                _request_id(answer),
            )
        )
        if decision.rate_limited and answered.own:
            self._pacer.pause(decision.wait)
            return
        if not decision.rate_limited:
            logger.info(
                "%s %s: retrying in %.2f s (%s, attempt %d)",
                answered.method,
                answered.shown,
                decision.wait,
                decision.reason,
                attempt,
            )
        self._tally.add(waits_s=decision.wait)
        self._sleep(decision.wait)

    def _conclude(
        self, call: _Call, answer: Answer, answered: _Answered, decision: Decision
    ) -> httpx.Response:
        """Return a success; raise the error an answer (or a transport failure) stands for."""
        if isinstance(answer, Exception):
            request = _request_of(answer)
            url = str(request.url) if request is not None and not answered.own else call.url
            raise self._network_error(answered.method, answered.shown, url, answer) from answer
        if answer.is_success:
            if call.method != "GET":
                _register_answer_secrets(answer, f"the answer to {call.method} {call.route}")
            return answer
        raise build_error(
            answer,
            method=answered.method,
            base_url=self.base_url,
            auth_kind=call.kind,
            retry_after=decision.wait if decision.rate_limited else None,
        )

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

    def _shown(self, url: str) -> str:
        """A URL as logged: relative to the instance, with secrets removed."""
        return redact_url(url)[len(self.base_url) :]

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
    @property
    def stats(self) -> ClientStats:
        """Requests sent, retries, 429 answers and seconds spent waiting, so far."""
        return self._tally.snapshot()

    @property
    def last_server_date(self) -> dt.datetime | None:
        """The instance's clock: the ``Date`` header of the last answer (UTC); None if it had none."""
        try:
            return email.utils.parsedate_to_datetime(self._last_date or "").astimezone(dt.UTC)
        except (TypeError, ValueError, IndexError):
            return None

    def _paced_wait(self, wait: float, reason: str) -> None:
        self._tally.add(waits_s=wait)
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

    def _log_answer(self, answer: Answer | None, answered: _Answered, ms: float, attempt: int) -> None:
        """Count and log what one attempt sent and got: every request of the auth flow, then the answer."""
        if not isinstance(answer, httpx.Response):
            self._tally.add(requests=1)
            logger.info(
                "%s %s -> no answer (%s) after %.0f ms, attempt %d",
                answered.method,
                answered.shown,
                type(answer).__name__,
                ms,
                attempt,
            )
            return
        self._tally.add(requests=1 + len(answer.history))
        for earlier in answer.history:
            shown = self._shown(str(earlier.request.url))
            self._log_response(earlier.request.method, shown, earlier, ms, attempt)
        self._log_response(answered.method, answered.shown, answer, ms, attempt)

    def _log_response(
        self, method: str, shown: str, response: httpx.Response, ms: float, attempt: int
    ) -> None:
        request_id = request_id_of(response.headers)
        self.last_request_id = request_id
        self._last_date = response.headers.get("date")
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
        """DELETE; None for 204 No Content, and for a deletion an earlier attempt carried out."""
        response = self.request("DELETE", path, **kwargs)
        if response.extensions.get(DELETED_BEFORE):
            return None
        return self._decode(response, "DELETE", path)

    # -- listings and bulk ------------------------------------------------------------------------
    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: dict[str, Any] | None = None,
        page_size: int = 100,
        cursor: str | None = None,
        max_page_size: int = MAX_PAGE_SIZE,
    ) -> CursorPages:
        """Cursor pagination, lazily; ``.cursor`` is the position to resume from. ``page_size`` is
        capped at ``max_page_size`` (100, Zendesk's limit for most listings)."""
        pages = CursorPages(self.get, self.base_url, path, key, params, page_size, cursor, max_page_size)
        return self._told(pages)

    def paginate_offset(
        self, path: str, key: str, *, params: dict[str, Any] | None = None, per_page: int = 100
    ) -> OffsetPages:
        """Offset pagination (search endpoints); raises ``PaginationDepthError`` before page 101."""
        return self._told(OffsetPages(self.get, self.base_url, path, key, params, per_page))

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
        return self._told(IncrementalPages(self.get, self.base_url, path, key, start_time, cursor, params))

    def _told(self, listing: P) -> P:
        """A listing that reports each fetched page to ``on_event`` (kind ``page``): progress."""
        if self._on_event is not None:
            listing.on_page = self._page_fetched
        return listing

    def _page_fetched(self, listing: Pages) -> None:
        self._emit(ClientEvent("page", "GET", listing.path, listing.pages, items=listing.items))

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
            if self._owns_http:
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
        itself = self.with_auth(BearerAuth(token))
        try:
            token_id = itself.get("/api/v2/oauth/tokens/current", deadline=15)["token"]["id"]
            itself.request("DELETE", f"/api/v2/oauth/tokens/{token_id}", deadline=15)
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


DELETED_BEFORE = "zdlib.deleted_by_an_earlier_attempt"


def _may_have_been_carried_out(answer: Answer) -> bool:
    """A 5xx, or no answer to a request that was sent: the server may have done it anyway."""
    if isinstance(answer, httpx.Response):
        return answer.status_code >= 500
    return not isinstance(answer, httpx.ConnectError | httpx.ConnectTimeout)


def _deleted_before(call: _Call, answer: Answer, answered: _Answered) -> bool:
    """A DELETE retried after an unclear answer now finds nothing (404): the earlier attempt deleted it
    (security re-test 2026-12-04 L9). The answer is marked so, and reported, never raised as not found."""
    if call.method != "DELETE" or not answered.own or not isinstance(answer, httpx.Response):
        return False
    if answer.status_code != 404:
        return False
    answer.extensions[DELETED_BEFORE] = True
    logger.warning(
        "DELETE %s: 404 on the retry after an unclear answer: the earlier attempt deleted it", call.shown
    )
    return True


def _register_answer_secrets(response: httpx.Response, origin: str) -> None:
    """A write's answer may hold a secret shown this once (a new client secret, a full token): register it
    before anyone can print it."""
    if "json" not in response.headers.get("content-type", "") or not response.content:
        return
    with contextlib.suppress(ValueError):
        register_secret_fields(response.json(), origin)


def _request_of(answer: Answer | None) -> httpx.Request | None:
    """The request an answer (or a transport error) belongs to, if httpx recorded it."""
    if answer is None:
        return None
    try:
        return answer.request if isinstance(answer, httpx.Response | httpx.RequestError) else None
    except RuntimeError:  # httpx: "The request instance has not been set"
        return None


def _request_id(answer: Answer) -> str | None:
    return request_id_of(answer.headers) if isinstance(answer, httpx.Response) else None


def _close_at_exit(ref: weakref.ReferenceType[Client]) -> None:
    """Safety net: a client-credentials token still held when the process ends is revoked."""
    client = ref()
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()


__all__ = ["Client", "ClientEvent", "ClientStats", "route_key"]
