"""One exception hierarchy for everything the client can raise.

``ZdlibError`` > ``ConfigError``, ``ZendeskError`` (Zendesk answered with a non-2xx status; one class per
status family), ``PaginationError``, ``NetworkError`` (no answer) and ``DeadlineExceeded``. Every
``ZendeskError`` carries the status, Zendesk's error code, description and details, the request id, and
the method and URL with secrets removed. Messages name the thing, the reason and the next step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from zdlib.redact import redact_data, redact_text, redact_url
from zdlib.schemes import scheme_of


class ZdlibError(Exception):
    """Base class of every error raised by zdlib. Its text never holds a registered secret or an HTTP
    credential (a server may echo the ``Authorization`` header or a request body in its error)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact_text(arg) if isinstance(arg, str) else arg for arg in args))


class ConfigError(ZdlibError):
    """Settings are missing, conflicting or malformed. The message names the variables, never values."""


@dataclass(frozen=True)
class Answer:
    """What an error message is made of: the request, Zendesk's answer and the client's context."""

    status: int
    method: str
    path: str  # relative to base_url, secrets removed
    base_url: str
    code: str | None = None
    description: str | None = None
    details: Any = None
    request_id: str | None = None
    auth_kind: str | None = None
    retry_after: float | None = None

    @property
    def target(self) -> str:
        """What the request was about, e.g. ``Automation 12345``."""
        return describe_target(self.method, self.path)

    @property
    def where(self) -> str:
        """``404 RecordNotFound, request id abc``."""
        tag = f"{self.status} {self.code}" if self.code else str(self.status)
        return f"{tag}, request id {self.request_id or 'none'}"

    @property
    def reason(self) -> str:
        """``: <Zendesk's description>`` when it says more than the code, else nothing."""
        return f": {self.description}" if self.description and self.description != self.code else ""


class ZendeskError(ZdlibError):
    """Zendesk answered with a non-2xx status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        description: str | None = None,
        details: Any = None,
        request_id: str | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = redact_text(code) if code else code
        self.description = redact_text(description) if description else description
        self.details = redact_data(details)
        self.request_id = request_id
        self.method = method
        self.url = url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code!r}, method={self.method!r}, "
            f"url={self.url!r}, request_id={self.request_id!r})"
        )

    @classmethod
    def explain(cls, a: Answer) -> str:
        """The message for this answer: the thing, the reason and the next step (subclasses say more)."""
        return f"{a.method} {a.path} failed on {a.base_url} ({a.where}{a.reason})."


class BadRequest(ZendeskError):
    """400: the request was malformed (bad parameters, pagination too deep, ...)."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        return (
            f"{a.method} {a.path} was rejected by {a.base_url} as a bad request ({a.where}{a.reason}). "
            "Check the parameters."
        )


class AuthenticationError(ZendeskError):
    """401: Zendesk could not authenticate the credential."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        try:
            advice = scheme_of(a.auth_kind or "").advice
        except ValueError:
            advice = "Check the credential settings."
        return (
            f"Zendesk at {a.base_url} could not authenticate {a.method} {a.path} ({a.where}{a.reason}). "
            f"{advice}"
        )


class PermissionDenied(ZendeskError):
    """403: authenticated, but the user, scope or plan does not allow this."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        return (
            f"{a.method} {a.path} is not allowed for this credential on {a.base_url} ({a.where}{a.reason}). "
            "Use an admin, an OAuth token with the needed scopes, or check the plan (audit logs need "
            "Enterprise)."
        )


class NotFound(ZendeskError):
    """404: the record (``RecordNotFound``) or the endpoint (``InvalidEndpoint``) does not exist."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        if a.code == "InvalidEndpoint":
            return (
                f"{a.method} {a.path} is not an endpoint on {a.base_url} ({a.where}). Check the path; the "
                "feature may not be available on this account."
            )
        return (
            f"{a.target} was not found on {a.base_url} ({a.where}). Check the id (it may have been deleted, "
            "or belong to another instance)."
        )


class Conflict(ZendeskError):
    """409: a simultaneous change to the same record."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        return (
            f"{a.target} on {a.base_url} was changed by someone else at the same time ({a.where}). Read it "
            "again and retry."
        )


class ValidationError(ZendeskError):
    """422: Zendesk refused the values (``RecordInvalid`` with per-field ``details``)."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        summary = _details_summary(a.details)
        extra = f" [{summary}]" if summary else ""
        return (
            f"{a.target} was refused by {a.base_url} ({a.where}{a.reason}){extra}. Fix the values and retry."
        )


class RateLimited(ZendeskError):
    """429: over the rate limit. ``retry_after`` is how many seconds to wait before trying again."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    @classmethod
    def explain(cls, a: Answer) -> str:
        wait = f"{a.retry_after:g} s" if a.retry_after is not None else "a while"
        return (
            f"{a.method} {a.path} was rate limited by {a.base_url} ({a.where}{a.reason}). "
            f"Retry after {wait}, or lower ZENDESK_RATE_SHARE / ZENDESK_CONCURRENCY if other jobs share the "
            "account."
        )


class ServerError(ZendeskError):
    """5xx: a temporary problem on Zendesk's side."""

    @classmethod
    def explain(cls, a: Answer) -> str:
        return (
            f"{a.method} {a.path} failed on {a.base_url} with a Zendesk server error ({a.where}{a.reason}). "
            "This is usually temporary: retry later, and quote the request id to Zendesk support if it "
            "persists."
        )


class ApiTokensUnsupported(ZendeskError):
    """The instance does not offer this API-token endpoint (404 ``InvalidEndpoint`` or 405)."""


class PaginationError(ZdlibError):
    """A listing cannot continue safely (a repeated cursor or URL, a link to another host)."""


class PaginationDepthError(PaginationError):
    """Offset pagination would go past Zendesk's 100-page limit."""


class NetworkError(ZdlibError):
    """No answer from Zendesk (connection refused, DNS, TLS, timeout)."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class DeadlineExceeded(ZdlibError):
    """The operation's deadline (``ZENDESK_DEADLINE``) ended a wait for the rate limit or a retry.

    ``retry_after`` says how long the wait would still have taken, so a job can be rescheduled.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


STATUS_CLASSES: dict[int, type[ZendeskError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: ValidationError,
    429: RateLimited,
}

THING_NAMES = {
    "users": "User",
    "automations": "Automation",
    "clients": "OAuth client",
    "tokens": "OAuth token",
    "api_tokens": "API token",
    "audit_logs": "Audit log",
    "tickets": "Ticket",
    "organizations": "Organization",
    "groups": "Group",
    "triggers": "Trigger",
    "macros": "Macro",
    "views": "View",
}
_ID = re.compile(r"^\d+$")


def request_id_of(headers: httpx.Headers) -> str | None:
    """Zendesk's request id: ``X-Zendesk-Request-Id``, else ``X-Request-Id`` (first value if repeated)."""
    value = headers.get("x-zendesk-request-id") or headers.get("x-request-id")
    return value.split(",")[0].strip() if value else None


def parse_envelope(response: httpx.Response) -> tuple[str | None, str | None, Any]:
    """(code, description, details) from any of Zendesk's four error envelopes."""
    text = response.text
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, str):
            description = body.get("description") or body.get("error_description")
            return error, description, redact_data(body.get("details"))
        if isinstance(error, dict):
            return error.get("title"), error.get("message"), None
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], dict) else {"title": str(errors[0])}
            code = first.get("code") or first.get("title")
            return code, first.get("detail") or first.get("title"), redact_data(errors)
        if isinstance(body.get("description"), str):
            return None, body["description"], None
    stripped = text.strip()
    return None, (stripped[:500] or None), None


def describe_target(method: str, path: str) -> str:
    """A human name for what a request was about, e.g. ``Automation 12345``."""
    parts = [p for p in path.split("?")[0].split("/") if p and p not in ("api", "v2")]
    if len(parts) >= 2 and (_ID.match(parts[-1]) or parts[-1] in ("me", "current")):
        noun = THING_NAMES.get(parts[-2], parts[-2].rstrip("s").replace("_", " ").capitalize())
        return f"{noun} {parts[-1]}"
    return f"{method} {path}"


def _details_summary(details: Any) -> str:
    if not isinstance(details, dict):
        return ""
    bits = []
    for field, problems in details.items():
        if isinstance(problems, list):
            for problem in problems:
                if isinstance(problem, dict):
                    reason = problem.get("description") or problem.get("error") or problem.get("type")
                    bits.append(f"{field}: {reason}")
    return "; ".join(bits[:5])


def class_for(status: int) -> type[ZendeskError]:
    """The ``ZendeskError`` subclass for a status: one per family, ``ServerError`` for any 5xx."""
    return STATUS_CLASSES.get(status, ServerError if status >= 500 else ZendeskError)


def build_error(
    response: httpx.Response,
    *,
    method: str,
    base_url: str,
    auth_kind: str | None = None,
    retry_after: float | None = None,
) -> ZendeskError:
    """Turn a non-2xx answer into the matching ``ZendeskError`` subclass; the class words the message."""
    code, description, details = parse_envelope(response)
    url = redact_url(str(response.request.url)) if response.request is not None else ""
    answer = Answer(
        status=response.status_code,
        method=method,
        path=url[len(base_url) :] if url.startswith(base_url) else url,
        base_url=base_url,
        code=code,
        description=description,
        details=details,
        request_id=request_id_of(response.headers),
        auth_kind=auth_kind,
        retry_after=retry_after,
    )
    cls = class_for(answer.status)
    kwargs: dict[str, Any] = {
        "status": answer.status,
        "code": code,
        "description": description,
        "details": details,
        "request_id": answer.request_id,
        "method": method,
        "url": url,
    }
    if issubclass(cls, RateLimited):
        return cls(cls.explain(answer), retry_after=retry_after, **kwargs)
    return cls(cls.explain(answer), **kwargs)
