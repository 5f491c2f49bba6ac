"""Thin helpers per Zendesk resource, reached as attributes of a ``Client`` (``client.users``, ...)."""

from zdlib.resources.api_tokens import ApiTokens
from zdlib.resources.audit_logs import AuditLogs
from zdlib.resources.automations import Automations
from zdlib.resources.oauth_clients import OAuthClients
from zdlib.resources.oauth_grants import OAuthGrants
from zdlib.resources.oauth_tokens import OAuthTokens
from zdlib.resources.search import CustomRoles, Search
from zdlib.resources.users import UserCount, Users

__all__ = [
    "ApiTokens",
    "AuditLogs",
    "Automations",
    "CustomRoles",
    "OAuthClients",
    "OAuthGrants",
    "OAuthTokens",
    "Search",
    "UserCount",
    "Users",
]
