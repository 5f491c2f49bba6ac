"""The look-alike's seeded GitLab: users, the access-request project, issues #4242..#4249, the API tokens'
access requests (#101, #102, #104, #106, #107) and the API-token retirement campaign's issue (#4250).

The issues follow GitLab's access-request process (zendesk-2026-12-updates.md 4.1): the requester files
the issue, adds `AR-Approval::Needs Manager Approval`; the manager adds `AR-Approval::Manager Approved`
(a scoped label, so the `Needs` label is removed in the same moment) and `ReadyForProvisioning`.
Times are relative to the anchor (the sandbox clock when seeded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from zdlib.sandbox.seed import ADMIN_EMAIL, AGENT_EMAIL, API_TOKENS, access_request_url

PROJECT_ID = 278964
PROJECT_PATH = "gitlab-com/team-member-epics/access-requests"
WEB_HOST = "https://gitlab.com"
APPROVED = "AR-Approval::Manager Approved"
NEEDS = "AR-Approval::Needs Manager Approval"
READY = "ReadyForProvisioning"
LABEL_IDS = {NEEDS: 17001, APPROVED: 17002, READY: 17003}

GROUP_ID = 9970
GROUP_PATH = "gitlab-com/support/customer-support-operations"  # the CSO reviewers, as a GitLab group
GROUP_MEMBERS = ("sam.security", "ada.admin")
OPERATOR = "ada.admin"  # the sandbox's Zendesk admin, as a GitLab user: the token's owner
USERS: tuple[tuple[int, str, str], ...] = (
    (5001, "ada.admin", "Ada Admin"),
    (5002, "alan.agent", "Alan Agent"),
    (5003, "maria.manager", "Maria Manager"),
    (5004, "bob.builder", "Bob Builder"),
    (5005, "sam.security", "Sam Security"),
    (5006, "dana.data", "Dana Data"),  # owner of the old data migration (API token 4)
    (5007, "grace.owner", "Grace Owner"),  # owner of the consumer an admin deactivated (API token 7)
)
# The users' `public_email` (GitLab's users API; "" when a user shows none): the requester's is the email
# of the sandbox's agent in Zendesk, so create_token can tie the credential to who filed the request.
PUBLIC_EMAILS = {"ada.admin": ADMIN_EMAIL, "alan.agent": AGENT_EMAIL}


#: What the sandbox's requests ask for, as the handbook's template writes it (a checkbox line per system):
#: every object the rehearsals change is named, so the approval is bound to the change (binding.py).
TARGETS_DESCRIPTION = """\
- [ ] Zendesk Global: deactivate automation 12345, delete automation 12349 (and restore it from its
  record if needed), change automation 12350, automation 12351 and automation 12352 through the API,
  and create automations through it (POST /api/v2/automations)
- [ ] Zendesk Global: revoke API token 2 and API token 3 once their scripts use OAuth, OAuth token 3002,
  and OAuth client 2002 (the Zapier integration)
- [ ] Zendesk Global: an OAuth client for this request's reporting script, role: agent
- Justification for this access: weekly support metrics export; the old API tokens stop on 2027-04-30"""
UNRELATED_DESCRIPTION = """\
- [ ] Zendesk Global: light agent role for alan.agent
- Justification for this access: answers internal notes on escalations"""
REVIEW_NOTE = "Security review (Customer Support Operations): business reason and scopes reviewed; approved."


@dataclass(frozen=True)
class IssueSeed:
    """One access request: who filed it, who added the approval label (None: nobody), its state."""

    iid: int
    approver: str | None
    state: str = "opened"
    author: str = "alan.agent"
    title: str = "Alan Agent, Zendesk Global, API access"
    description: str = TARGETS_DESCRIPTION
    #: who left a security review note: the CSO reviewer, and the operator who provisions (handbook)
    reviewers: tuple[str, ...] = ("sam.security", "ada.admin")
    #: None: filed FILED_DAYS_AGO like the rehearsals' requests; N: filed N days ago, approved a day and
    #: closed two days later (an old, provisioned request)
    filed_days_ago: int | None = None
    numbered: bool = True  # the title ends with "(request N)"


ISSUES = (
    IssueSeed(4242, "maria.manager"),  # the good one
    IssueSeed(4243, "alan.agent"),  # the requester approved himself
    IssueSeed(4244, "maria.manager", state="closed"),
    IssueSeed(4245, None),  # never approved
    IssueSeed(4246, "bob.builder"),  # approved by someone who is not the named manager
    IssueSeed(  # approved, but for something else: names none of the rehearsals' objects
        4247,
        "maria.manager",
        title="AR: light agent access for alan.agent",
        description=UNRELATED_DESCRIPTION,
    ),
    IssueSeed(4248, "maria.manager", author="ada.admin", title="Ada Admin, Zendesk Global, API access"),
    IssueSeed(4249, "maria.manager", reviewers=()),  # approved, but no review shows on the issue
)

#: The owner of each API token's consumer: who filed the access request its description names (issue 23).
TOKEN_REQUEST_OWNERS = {
    101: "ada.admin",
    102: "bob.builder",
    104: "dana.data",
    106: "alan.agent",
    107: "grace.owner",
}
TOKEN_REVIEWERS = ("sam.security",)
FILED_BEFORE_TOKEN_DAYS = 3  # each token's request was filed 3 days before the token was created


def _token_requests() -> tuple[IssueSeed, ...]:
    """The access requests the seeded API tokens' descriptions name (sandbox/seed.py API_TOKENS)."""
    found = []
    for iid, owner in TOKEN_REQUEST_OWNERS.items():
        url = access_request_url(iid)
        token = next(t for t in API_TOKENS if url in t.description)
        consumer = token.description.replace(url, "").strip()
        name = next(full for _, user, full in USERS if user == owner)
        found.append(
            IssueSeed(
                iid,
                "maria.manager",
                state="closed",
                author=owner,
                title=f"{name}, Zendesk Global, API token: {consumer}",
                description=(
                    f"- [ ] Zendesk Global: an API token for {consumer} (owner: {owner})\n"
                    f"- Justification for this access: {consumer} calls the Zendesk API"
                ),
                reviewers=TOKEN_REVIEWERS,
                filed_days_ago=token.created_days_ago + FILED_BEFORE_TOKEN_DAYS,
                numbered=False,
            )
        )
    return tuple(found)


TOKEN_REQUESTS = _token_requests()

#: The campaign issue: approved like #4242; migrate_api_tokens keeps its checklist note current and binds
#: its approval to it (the run's target is this issue itself; the description also names the campaign).
CAMPAIGN_IID = 4250
CAMPAIGN_TITLE = "API-token retirement campaign 2027-04-30"
CAMPAIGN_DESCRIPTION = """\
- [ ] Zendesk Global: the API-token retirement campaign (runbook migrate_api_tokens): keep its checklist
  note on this issue current (campaign_checklist) and post weekly reminders on the API tokens' access
  requests (campaign_reminder); no Zendesk writes
- Justification for this access: every API token stops working on 2027-04-30 (Zendesk's announcement)"""
CAMPAIGN = IssueSeed(
    CAMPAIGN_IID, "maria.manager", title=CAMPAIGN_TITLE, description=CAMPAIGN_DESCRIPTION, numbered=False
)
#: A migration's access request (issue 23): an OAuth client for the reporting export, replacing API token 2;
#: create_token issues it with `replaces_api_token=2`, and the campaign reads that from its record.
MIGRATION_IID = 4251
MIGRATION = IssueSeed(
    MIGRATION_IID,
    "maria.manager",
    title="Alan Agent, Zendesk Global, OAuth client for the reporting export (replaces API token 2)",
    description=(
        "- [ ] Zendesk Global: an OAuth client for the reporting export, role: agent, replacing API token 2 "
        "(Reporting export), which stops working on 2027-04-30\n"
        "- Justification for this access: the weekly support metrics export moves to OAuth"
    ),
    numbered=False,
)
ALL_ISSUES = (*ISSUES, *TOKEN_REQUESTS, CAMPAIGN, MIGRATION)
REQUESTER = "alan.agent"
FILED_DAYS_AGO, APPROVED_DAYS_AGO, CLOSED_DAYS_AGO = 3, 2, 1


def issue_times(anchor: datetime) -> tuple[datetime, datetime, datetime]:
    """(created, approved, closed) for every seeded issue, whole seconds like GitLab's API shows."""
    base = anchor.replace(microsecond=0)
    return (
        base - timedelta(days=FILED_DAYS_AGO),
        base - timedelta(days=APPROVED_DAYS_AGO),
        base - timedelta(days=CLOSED_DAYS_AGO),
    )
