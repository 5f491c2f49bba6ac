"""Credential plans: what create_token, revoke_token and revoke_integration do, each with its changes,
apply and verify, so the notebooks read like procedures (design.md "Move toward" 1)."""

from zdlib.runbook.plans.issue import Deliver, OAuthIssue, plan_issue
from zdlib.runbook.plans.revoke import (
    ApiTokenRevocation,
    OAuthRevocation,
    by_request,
    explain_cut_off,
    integration,
    revocation,
)

__all__ = [
    "ApiTokenRevocation",
    "Deliver",
    "OAuthIssue",
    "OAuthRevocation",
    "by_request",
    "explain_cut_off",
    "integration",
    "plan_issue",
    "revocation",
]
