"""Stored records -> the JSON objects Zendesk sends (urls, truncated secrets, role-reduced views)."""

from __future__ import annotations

from starlette.requests import Request

from zdlib.sandbox.clock import iso

END_USER_VIEW = (
    "id",
    "url",
    "name",
    "email",
    "created_at",
    "updated_at",
    "time_zone",
    "iana_time_zone",
    "phone",
    "shared_phone_number",
    "photo",
    "locale_id",
    "locale",
    "organization_id",
    "role",
    "verified",
)


def base_of(request: Request) -> str:
    """`scheme://host` as the client addressed this server (its Host header, else the server's)."""
    host = request.headers.get("host")
    if host is None:
        host = request.url.netloc
    return f"{request.scope.get('scheme', 'http')}://{host}"


def user(record: dict, base: str, staff_view: bool = True) -> dict:
    out = {"id": record["id"], "url": f"{base}/api/v2/users/{record['id']}.json"}
    out.update(record)
    if not staff_view:
        out = {k: out[k] for k in END_USER_VIEW if out.get(k) is not None}
    return out


def automation(record: dict, base: str) -> dict:
    return {"url": f"{base}/api/v2/automations/{record['id']}.json", **record}


def oauth_client(record: dict, base: str, with_secret: bool = False) -> dict:
    out = {"url": f"{base}/api/v2/oauth/clients/{record['id']}.json"}
    out.update((k, v) for k, v in record.items() if not k.startswith("_"))
    secret = record["_secret"]
    out["secret"] = secret if with_secret else secret[:6] + "*" * (len(secret) - 6)
    return out


def oauth_token(record: dict, base: str, full: bool = False) -> dict:
    out = {
        "id": record["id"],
        "url": f"{base}/api/v2/oauth/tokens/{record['id']}.json",
        "user_id": record["user_id"],
        "client_id": record["client_id"],
        "token": record["_value"][:10],
        "refresh_token": record["_refresh"][:10] if record["_refresh"] else None,
        "scopes": list(record["scopes"]),
        "created_at": iso(record["_created"]),
        "expires_at": iso(record["_expires"]),
        "used_at": iso(record["_used"]),
        "refresh_token_expires_at": iso(record["_refresh_expires"]),
    }
    if full:
        out["full_token"] = record["_value"]
    return out


def api_token(
    record: dict, active: bool, base: str, users: dict[int, dict] | None = None, full: bool = False
) -> dict:
    value = record["_value"]
    out = {
        "id": record["id"],
        "url": f"{base}/api/v2/api_tokens/{record['id']}.json",
        "user_id": record["user_id"],
        "assigned_user_id": record["assigned_user_id"],
        "description": record["description"],
        "active": active,
        "created_at": iso(record["_created"]),
        "updated_at": iso(record["_updated"]),
        "last_used": iso(record["_last_used"]),
        "visible_token": value[:6],
        "token": value if full else value[:6] + "*" * (len(value) - 6),
    }
    if users is not None:
        owner = users.get(record["assigned_user_id"])
        out["user_name"] = owner["name"] if owner else None
        out["user_email"] = owner["email"] if owner else None
    return out


def audit_log(record: dict, base: str) -> dict:
    return {"url": f"{base}/api/v2/audit_logs/{record['id']}.json", **record}
