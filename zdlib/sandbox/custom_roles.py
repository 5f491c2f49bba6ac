"""The account's custom agent roles (Enterprise): Light Agent and the plain agent role.

Zendesk's OpenAPI document `ticketing-2026-05.yaml`, CustomRoleObject: `role_type` "0 stands for a custom
agent, 1 for a light agent"; ListCustomRoles ("Accounts on the Enterprise plan or above", allowed for
agents). A user's `custom_role_id` names its role, and CountUsers' `permission_set` filters by it
(migration-research.md section 2.3: "light agent is a custom role on Enterprise").
"""

from __future__ import annotations

from datetime import datetime

from zdlib.sandbox.clock import iso

LIGHT_AGENT_ROLE_ID = 360_000_101
STAFF_ROLE_ID = 360_000_102
# role_type -> (custom role id, name, description); the sandbox's agents carry one of these
ROLES_BY_TYPE: dict[int, tuple[int, str, str]] = {
    1: (LIGHT_AGENT_ROLE_ID, "Light Agent", "Can view and add private comments to tickets"),
    0: (STAFF_ROLE_ID, "Staff", "Can edit tickets within their groups"),
}


def role_id_for(role: str, role_type: int | None) -> int | None:
    """The custom role an agent of this role type holds; admins and end users hold none."""
    if role != "agent" or role_type is None:
        return None
    return ROLES_BY_TYPE[role_type][0] if role_type in ROLES_BY_TYPE else None


def render_roles(anchor: datetime, members: dict[int, int]) -> list[dict]:
    """CustomRolesResponse's `custom_roles`, with each role's `team_member_count` from `members`."""
    stamp = iso(anchor)
    return [
        {
            "id": role_id,
            "name": name,
            "description": description,
            "role_type": role_type,
            "team_member_count": members.get(role_id, 0),
            "created_at": stamp,
            "updated_at": stamp,
            "configuration": {"chat_access": True, "ticket_editing": role_type == 0},
        }
        for role_type, (role_id, name, description) in sorted(ROLES_BY_TYPE.items())
    ]
