"""Zendesk's error envelopes, exactly as captured (see zendesk-api.md sections 1.2, 1.3, 2.2)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
NO_ACCESS = (
    "You do not have access to this page. Please contact the account owner of this help desk "
    "for further help."
)
INVALID_TOKEN_DESCRIPTION = (
    "The access token provided is expired, revoked, malformed or invalid for other reasons."
)

T = TypeVar("T")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response with Zendesk's content type."""
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(data, status_code=status, headers=headers, media_type=JSON_TYPE)


def json_list_response(key: str, items: list[bytes], rest: dict[str, Any]) -> Response:
    """`{key: [...pre-encoded items...], **rest}` without re-encoding the items (listing hot path)."""
    tail = json.dumps(rest, separators=(",", ":"), ensure_ascii=False).encode()
    data = b"".join((b'{"', key.encode(), b'":[', b",".join(items), b"]", b"," if rest else b"", tail[1:]))
    return Response(data, media_type=JSON_TYPE)


class ApiError(Exception):
    """Raised by handlers; turned into the response it carries."""

    def __init__(
        self, status: int, body: Any, headers: dict[str, str] | None = None, plain: bool = False
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.plain = plain

    def response(self) -> Response:
        if self.plain:
            return Response(
                self.body,
                status_code=self.status,
                headers=self.headers,
                media_type="text/plain; charset=utf-8",
            )
        return json_response(self.body, self.status, self.headers)


def couldnt_authenticate() -> ApiError:
    return ApiError(
        401,
        {"error": "Couldn't authenticate you"},
        {"WWW-Authenticate": 'Basic realm="Web Password"', "Cache-Control": "no-cache"},
    )


def invalid_token() -> ApiError:
    return ApiError(
        401,
        {"error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION},
        {"Cache-Control": "no-cache"},
    )


def forbidden() -> ApiError:
    return ApiError(403, {"error": {"title": "Forbidden", "message": NO_ACCESS}})


def missing_scope(scope: str) -> ApiError:
    return ApiError(
        403, {"error": "Forbidden", "description": f"You are missing the following required scopes: {scope}"}
    )


def record_not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def found(record: T | None) -> T:
    """The record, or Zendesk's 404 `RecordNotFound`."""
    if record is None:
        raise record_not_found()
    return record


def invalid_endpoint() -> ApiError:
    return ApiError(404, {"error": "InvalidEndpoint", "description": "Not found"})


def record_invalid(field: str, description: str, code: str = "InvalidValue") -> ApiError:
    return ApiError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": code}]},
        },
    )


def bad_request(description: str, error: str = "InvalidValue") -> ApiError:
    return ApiError(400, {"error": error, "description": description})


def pagination_depth() -> ApiError:
    return ApiError(
        400,
        {
            "errors": [
                {
                    "code": "InvalidPaginationDepth",
                    "title": "Pagination requests using Offset Pagination are limited",
                    "detail": "Offset pagination is limited to the first 100 pages (10,000 records). "
                    "Use cursor pagination (page[size]) to go further.",
                    "status": "400",
                }
            ]
        },
    )


def search_too_deep() -> ApiError:
    return ApiError(
        422,
        {
            "error": "InvalidPageNumber",
            "description": "Requested response size was greater than Search Response Limits",
        },
    )


def rate_limited(
    retry_after: str | None,
    text: str = "Number of allowed API requests per minute exceeded",
    headers: dict[str, str] | None = None,
) -> ApiError:
    extra = dict(headers or {})
    if retry_after is not None:
        extra["Retry-After"] = retry_after
    return ApiError(429, text, extra, plain=True)


def oauth_error(error: str, description: str, status: int = 400) -> ApiError:
    """The OAuth 2.0 (RFC 6749) error shape `/oauth/tokens` answers with."""
    return ApiError(status, {"error": error, "error_description": description})
