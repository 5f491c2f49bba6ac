"""The seeded account: fixed, documented records plus a lazily generated crowd of users.

Tests and runbook authors learn what is seeded from this module's public constants and `describe()`;
nothing here reads the network. Timestamps are relative to the *anchor* (the sandbox clock when the
store was seeded), so "unused for 45 days" stays true whatever date the sandbox starts on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from zdlib.sandbox.derived import derive

ACCOUNT_NAME = "zdlib sandbox"
EMAIL_DOMAIN = "sandbox.zdlib.test"
USER_ID_BASE = 1_000_000  # user id = USER_ID_BASE + index
ORGANIZATION_IDS = tuple(range(90_001, 90_011))

# --- fixed users (index, role, role_type, name, local part, suspended, verified) ---------------
SPECIAL_USERS: tuple[tuple[str, int | None, str, str, bool, bool], ...] = (
    ("admin", 4, "Ada Admin", "ada.admin", False, True),  # the seeded admin of .env / credentials
    ("admin", 4, "Grace Owner", "grace.owner", False, True),
    ("admin", 4, "Integration Bot", "integration.bot", False, True),
    ("agent", 0, "Alan Agent", "alan.agent", False, True),
    ("agent", 0, "Barbara Agent", "barbara.agent", False, True),
    ("agent", 1, "Linus Light", "linus.light", False, True),  # light agent
    ("agent", 1, "Lena Light", "lena.light", False, True),  # light agent
    ("agent", 0, "Sam Suspended-Agent", "sam.suspended", True, True),
    ("end-user", None, "Eve Enduser", "eve.enduser", False, True),
    ("end-user", None, "Sid Suspended", "sid.suspended", True, True),
    ("end-user", None, "Una Unverified", "una.unverified", False, False),
)
ADMIN_ID = USER_ID_BASE + 0
OWNER_ID = USER_ID_BASE + 1
INTEGRATION_BOT_ID = USER_ID_BASE + 2
AGENT_ID = USER_ID_BASE + 3
LIGHT_AGENT_ID = USER_ID_BASE + 5
SUSPENDED_AGENT_ID = USER_ID_BASE + 7
END_USER_ID = USER_ID_BASE + 8
SUSPENDED_END_USER_ID = USER_ID_BASE + 9
UNVERIFIED_END_USER_ID = USER_ID_BASE + 10
ADMIN_IDS = (ADMIN_ID, OWNER_ID, INTEGRATION_BOT_ID)
ADMIN_EMAIL = f"ada.admin@{EMAIL_DOMAIN}"
AGENT_EMAIL = f"alan.agent@{EMAIL_DOMAIN}"
LIGHT_AGENT_EMAIL = f"linus.light@{EMAIL_DOMAIN}"
END_USER_EMAIL = f"eve.enduser@{EMAIL_DOMAIN}"
MIN_USERS = len(SPECIAL_USERS)

# Generated users (index >= MIN_USERS): every 50th is an agent (every 200th a light agent),
# every 97th end user is suspended, every 89th is unverified. See users.generated_user().
AGENT_EVERY = 50
LIGHT_AGENT_EVERY = 200
SUSPENDED_EVERY = 97
UNVERIFIED_EVERY = 89

# --- automations -------------------------------------------------------------------------------
AUTOMATION_12345 = 12345
GENERATED_AUTOMATION_ID_BASE = 20_000


@dataclass(frozen=True)
class AutomationSeed:
    id: int
    title: str
    active: bool
    default: bool
    hours: int
    status: str
    action: tuple[str, str]


FIXED_AUTOMATIONS: tuple[AutomationSeed, ...] = (
    AutomationSeed(
        12345,
        "Close ticket 4 days after status is set to solved",
        True,
        True,
        96,
        "solved",
        ("status", "closed"),
    ),
    AutomationSeed(
        12346,
        "Pending notification 24 hours",
        False,
        True,
        24,
        "pending",
        ("notification_user", "requester_id"),
    ),
    AutomationSeed(
        12347,
        "Pending notification 5 days",
        False,
        True,
        120,
        "pending",
        ("notification_user", "requester_id"),
    ),
    AutomationSeed(
        12348,
        "Request customer satisfaction rating (System Automation)",
        True,
        True,
        24,
        "solved",
        ("satisfaction_score", "offered"),
    ),
    AutomationSeed(
        12349,
        "Close solved tickets after 28 days (legacy)",
        False,
        False,
        672,
        "solved",
        ("status", "closed"),
    ),
    AutomationSeed(
        12350, "Escalate urgent tickets open for 2 hours", True, False, 2, "open", ("priority", "urgent")
    ),
    AutomationSeed(
        12351,
        "Nudge on-hold tickets after 7 days",
        False,
        False,
        168,
        "hold",
        ("notification_user", "assignee_id"),
    ),
    AutomationSeed(
        12352, "Tag tickets pending for 10 days", True, False, 240, "pending", ("current_tags", "pending_10d")
    ),
)
INACTIVE_AUTOMATION_IDS = tuple(a.id for a in FIXED_AUTOMATIONS if not a.active)


# --- API tokens --------------------------------------------------------------------------------
def access_request_url(number: int) -> str:
    return f"https://gitlab.com/gitlab-com/team-member-epics/access-requests/-/issues/{number}"


@dataclass(frozen=True)
class ApiTokenSeed:
    """A seeded API token; days are counted back from the anchor."""

    id: int
    description: str
    created_days_ago: int
    last_used_days_ago: int | None  # None = never used
    active: bool  # as set by an admin (the 30-day rule may deactivate it on top of this)


API_TOKENS: tuple[ApiTokenSeed, ...] = (
    ApiTokenSeed(1, f"Support Ops scripts {access_request_url(101)}", 400, 1, True),  # the admin's, in use
    ApiTokenSeed(2, f"Reporting export {access_request_url(102)}", 300, 3, True),
    ApiTokenSeed(3, "Zapier test token", 200, 2, True),  # no access request
    ApiTokenSeed(4, f"Old data migration {access_request_url(104)}", 500, 45, True),  # idle 45 days
    ApiTokenSeed(5, "jenkins", 800, 70, True),  # idle 70 days (deactivated 40 days ago), no access request
    ApiTokenSeed(6, f"Never used {access_request_url(106)}", 50, None, True),  # never used
    ApiTokenSeed(7, f"Deactivated by an admin {access_request_url(107)}", 600, 10, False),
    ApiTokenSeed(8, "Slack bot", 90, 25, True),  # no access request; idle 25 days (not yet stale)
)
ADMIN_API_TOKEN_ID = 1
API_TOKEN_IDS_WITHOUT_ACCESS_REQUEST = (3, 5, 8)
API_TOKEN_IDS_IDLE_30_DAYS = (4, 5, 6)  # last use (or creation if never used) 30+ days before the anchor
API_TOKEN_IDS_DEACTIVATED_BY_ADMIN = (7,)
# After 2026-07-28 the idle ones are deactivated by Zendesk's 30-day rule, so at the default clock
# the active tokens are exactly these:
API_TOKEN_IDS_ACTIVE_AFTER_RULE = (1, 2, 3, 8)

ADMIN_DEACTIVATED_DAYS_AGO = 5  # when the admin deactivated the seeded inactive token (7)


@dataclass(frozen=True)
class ConsumerSeed:
    """A simulated integration calling the API every `every_hours` (see sandbox/consumers.py)."""

    name: str
    api_token_id: int
    every_hours: int


# Campaign roles (issue 23): token 2 has a consumer and an access request (owner_known, to be switched);
# token 3's consumer keeps calling with its API token (never switched); token 8 has none (idle: the 30-day
# rule deactivates it 5 days after the anchor); tokens 4-6 are already auto-deactivated (purged 60 days
# after their deactivation).
CONSUMERS: tuple[ConsumerSeed, ...] = (
    ConsumerSeed("reporting-export", 2, 24),
    ConsumerSeed("zapier-sync", 3, 6),
)


# --- OAuth clients and tokens --------------------------------------------------------------------
@dataclass(frozen=True)
class OAuthClientSeed:
    id: int
    name: str
    identifier: str
    owner_id: int
    kind: str = "confidential"


OAUTH_CLIENTS: tuple[OAuthClientSeed, ...] = (
    OAuthClientSeed(2001, "Support Ops automation", "zdlib_support_ops", ADMIN_ID),
    OAuthClientSeed(2002, "Zapier integration", "zapier_sync", INTEGRATION_BOT_ID),
    OAuthClientSeed(2003, "Legacy reporting", "legacy_reports", OWNER_ID),  # no tokens
    OAuthClientSeed(2004, "Abandoned prototype", "abandoned_prototype", OWNER_ID, "public"),  # no tokens
)
ADMIN_OAUTH_CLIENT_ID = 2001
ADMIN_OAUTH_CLIENT_IDENTIFIER = "zdlib_support_ops"
OAUTH_CLIENT_IDS_WITHOUT_TOKENS = (2003, 2004)


@dataclass(frozen=True)
class OAuthTokenSeed:
    id: int
    client_id: int
    user_id: int
    scopes: tuple[str, ...]
    created_days_ago: int
    expires_in_days: int | None  # None = never expires; negative = already expired
    used_days_ago: int | None


OAUTH_TOKENS: tuple[OAuthTokenSeed, ...] = (
    OAuthTokenSeed(3001, 2001, ADMIN_ID, ("read", "write"), 20, 365, 1),  # ZENDESK_OAUTH_TOKEN
    OAuthTokenSeed(3002, 2001, ADMIN_ID, ("users:read", "auditlogs:read"), 10, 30, 2),  # narrow
    OAuthTokenSeed(3003, 2002, INTEGRATION_BOT_ID, ("write",), 400, None, 1),  # broad, never expires
    OAuthTokenSeed(3004, 2002, AGENT_ID, ("read",), 300, None, 40),  # never expires
    OAuthTokenSeed(3005, 2001, ADMIN_ID, ("automations:read", "automations:write"), 60, -10, 15),  # expired
    OAuthTokenSeed(3006, 2002, INTEGRATION_BOT_ID, ("unrestricted",), 100, 200, 5),  # broad
    OAuthTokenSeed(3007, 2001, END_USER_ID, ("read",), 5, 30, None),  # an end user's token
)
REFRESHABLE_TOKEN_ID = 3002  # issued by the authorization-code grant, so it has a refresh token
REFRESH_TOKEN_DAYS = 60  # the refresh token of 3002 expires this many days after the anchor
ADMIN_OAUTH_TOKEN_ID = 3001
OAUTH_TOKEN_IDS_BROAD_SCOPES = (3001, 3003, 3006)  # write, read write or unrestricted
OAUTH_TOKEN_IDS_NEVER_EXPIRING = (3003, 3004)
OAUTH_TOKEN_IDS_EXPIRED = (3005,)

# --- audit log ------------------------------------------------------------------------------------
SEEDED_AUDIT_LOG_COUNT = 6


@dataclass(frozen=True)
class SeedDescription:
    """What a given seed put in the account (secrets included: this is a sandbox)."""

    seed: int
    users: int
    automations: int
    admin_id: int = ADMIN_ID
    admin_email: str = ADMIN_EMAIL
    admin_ids: tuple[int, ...] = ADMIN_IDS
    automation_id: int = AUTOMATION_12345
    secrets: dict[str, str] = field(default_factory=dict)


def admin_password(seed: int) -> str:
    return derive(seed, "password:admin", 24)


def user_password(seed: int, user_id: int) -> str:
    """Every special user has a legacy password (for the pre-2026 password path)."""
    return admin_password(seed) if user_id == ADMIN_ID else derive(seed, f"password:{user_id}", 24)


def api_token_value(seed: int, token_id: int) -> str:
    return derive(seed, f"api_token:{token_id}", 40)


def oauth_token_value(seed: int, token_id: int) -> str:
    return derive(seed, f"oauth_token:{token_id}", 64)


def oauth_refresh_value(seed: int, token_id: int) -> str:
    return derive(seed, f"oauth_refresh:{token_id}", 64)


def oauth_client_secret(seed: int, client_id: int) -> str:
    return derive(seed, f"oauth_client_secret:{client_id}", 64)


def describe(seed: int = 1, users: int = 2000, automations: int = len(FIXED_AUTOMATIONS)) -> SeedDescription:
    """The seeded account for these options, with the seeded admin's secrets."""
    return SeedDescription(
        seed=seed,
        users=max(users, MIN_USERS),
        automations=max(automations, len(FIXED_AUTOMATIONS)),
        secrets={
            "password": admin_password(seed),
            "api_token": api_token_value(seed, ADMIN_API_TOKEN_ID),
            "oauth_token": oauth_token_value(seed, ADMIN_OAUTH_TOKEN_ID),
            "client_secret": oauth_client_secret(seed, ADMIN_OAUTH_CLIENT_ID),
        },
    )


def days_before(anchor: datetime, days: int | None) -> datetime | None:
    return None if days is None else anchor - timedelta(days=days)
