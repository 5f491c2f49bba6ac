"""zdlib: a careful Zendesk Support API client, runbook kit and local sandbox."""

from zdlib._version import __version__
from zdlib.auth import (
    ApiTokenAuth,
    BearerAuth,
    ClientCredentialsAuth,
    CredentialDeprecationWarning,
    PasswordAuth,
)
from zdlib.bulk import BulkResult
from zdlib.client import Client, ClientStats
from zdlib.config import Settings, load_settings
from zdlib.errors import (
    ApiTokensUnsupported,
    AuthenticationError,
    BadRequest,
    ConfigError,
    Conflict,
    DeadlineExceeded,
    NetworkError,
    NotFound,
    PaginationDepthError,
    PaginationError,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationError,
    ZdlibError,
    ZendeskError,
)
from zdlib.pagination import Pages
from zdlib.ratelimit import ClientEvent
from zdlib.redact import fingerprint

__all__ = [
    "ApiTokenAuth",
    "ApiTokensUnsupported",
    "AuthenticationError",
    "BadRequest",
    "BearerAuth",
    "BulkResult",
    "Client",
    "ClientCredentialsAuth",
    "ClientEvent",
    "ClientStats",
    "ConfigError",
    "Conflict",
    "CredentialDeprecationWarning",
    "DeadlineExceeded",
    "NetworkError",
    "NotFound",
    "Pages",
    "PaginationDepthError",
    "PaginationError",
    "PasswordAuth",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "Settings",
    "ValidationError",
    "ZdlibError",
    "ZendeskError",
    "__version__",
    "fingerprint",
    "load_settings",
]
